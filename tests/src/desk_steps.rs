//! Steps a desk takes through several screens: first-run setup, adding a client with consent.

use crate::App;

impl App {
    /// Completes first-run setup and waits for Today.
    pub async fn set_up(&self, business: &str, timezone: &str, region: &str) {
        self.type_into("setup-business-name", business).await;
        self.click("setup-next").await;
        self.choose("setup-timezone", timezone).await;
        self.click("setup-next").await;
        self.choose("setup-region", region).await;
        self.click("setup-finish").await;
        self.wait_text("today-heading", business).await;
    }

    /// Adds a client on the Clients screen and records their consent for appointment texts
    /// (a paper form, recorded by Sam), as the desk does; leaves their page open.
    pub async fn add_client_with_consent(&self, name: &str, phone: &str) {
        self.click("nav-clients").await;
        self.click("add-client").await;
        self.type_into("client-name", name).await;
        self.type_into("client-phone", phone).await;
        self.click("client-save").await;
        self.click("record-consent-service").await;
        self.choose("consent-channel", "paper_form").await;
        self.type_into("consent-recorded-by", "Sam").await;
        self.click("consent-confirm").await;
        self.wait_text("consent-state-service", "granted").await;
    }
}
