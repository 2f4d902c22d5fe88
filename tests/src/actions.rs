//! Acting on the page as a person would: clicking, typing, choosing, attaching a file.

use std::path::Path;
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::waiting::{POLL, WAIT};
use crate::App;

impl App {
    pub async fn click(&self, test_id: &str) {
        self.get(test_id).await.click().await.unwrap();
    }

    /// Clicks `test_id` until `opens` appears: a screen that reloads (a change batch arriving
    /// as the click lands) can swallow one click, as it would a person's, who clicks again.
    pub async fn click_until(&self, test_id: &str, opens: &str) {
        for _ in 0..5 {
            let _ = self.get(test_id).await.click().await;
            let deadline = Instant::now() + Duration::from_secs(4);
            while Instant::now() < deadline {
                if self.has(opens).await {
                    return;
                }
                tokio::time::sleep(POLL).await;
            }
        }
        panic!("clicking [data-testid='{test_id}'] never opened [data-testid='{opens}']");
    }

    /// Clicks the first element whose `data-testid` starts with `prefix`, waiting for one; if
    /// the list is re-rendered under the click, it finds the element again and retries.
    pub async fn click_first(&self, prefix: &str) {
        let css = format!("[data-testid^='{prefix}']");
        let deadline = Instant::now() + WAIT;
        loop {
            let tried = match self
                .driver
                .query(By::Css(css.clone()))
                .wait(WAIT, POLL)
                .first()
                .await
            {
                Ok(element) => element.click().await,
                Err(err) => Err(err),
            };
            match tried {
                Ok(()) => return,
                Err(err) => {
                    assert!(Instant::now() < deadline, "could not click {css}: {err}");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    }

    /// Opens the first client in the Clients list.
    pub async fn click_first_client(&self) {
        self.driver
            .query(By::Css("[data-testid^='client-row-']"))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Sets an input's value the way a picker would (date and time inputs take no typing in
    /// WebKitWebDriver) and fires its input and change events.
    pub async fn set_value(&self, test_id: &str, value: &str) {
        let input = self.get(test_id).await;
        self.driver
            .execute(
                "arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('input', { bubbles: true }));
                 arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
                vec![input.to_json().unwrap(), serde_json::json!(value)],
            )
            .await
            .unwrap();
    }

    /// Replaces an input's contents with `text`, as typing would.
    pub async fn type_into(&self, test_id: &str, text: &str) {
        let input = self.get(test_id).await;
        input.clear().await.unwrap();
        // WebKitWebDriver's clear does not always tell the page; a person's deleting would.
        self.driver
            .execute(
                "arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![input.to_json().unwrap()],
            )
            .await
            .unwrap();
        if !text.is_empty() {
            input.send_keys(text).await.unwrap();
        }
    }

    /// Picks the `<option value=…>` of a `<select>`.
    pub async fn choose(&self, test_id: &str, value: &str) {
        let select = self.get(test_id).await;
        let option = select
            .query(By::Css(format!("option[value='{value}']")))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap_or_else(|e| panic!("{test_id} has no option {value}: {e}"));
        option.click().await.unwrap();
    }

    /// Opens the Sandbox phone if it is closed, and picks the client with this number.
    pub async fn open_sandbox_phone(&self, number: &str) {
        if !self.has("sandbox-phone").await {
            self.click("open-sandbox-phone").await;
        }
        self.choose("sandbox-phone-client", number).await;
    }

    /// Gives a file input a file, as choosing it in the file dialog would.
    pub async fn attach(&self, test_id: &str, path: &Path) {
        let input = self.get(test_id).await;
        input
            .send_keys(path.canonicalize().unwrap().display().to_string())
            .await
            .unwrap();
    }
}
