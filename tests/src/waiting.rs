//! Finding elements and reading the page, waiting until what the test expects is there.

use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::prelude::*;

use crate::App;

pub(crate) const WAIT: Duration = Duration::from_secs(20);

pub(crate) const POLL: Duration = Duration::from_millis(100);

impl App {
    /// The element with this `data-testid`, waiting for it to appear.
    pub async fn get(&self, test_id: &str) -> WebElement {
        self.driver
            .query(By::Css(format!("[data-testid='{test_id}']")))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap_or_else(|e| panic!("no element [data-testid='{test_id}'] appeared: {e}"))
    }

    /// The `data-testid` of the first element whose `data-testid` starts with `prefix`, waiting
    /// for one. Read inside the page in one step: a list the app re-renders between finding an
    /// element and reading it (a change batch arriving) cannot leave the test holding a stale
    /// element.
    pub async fn first_test_id(&self, prefix: &str) -> String {
        let css = format!("[data-testid^='{prefix}']");
        self.first_in_page(&css, "e.dataset.testid").await
    }

    /// The text (`innerText`, as shown) of the first element matching `css`, waiting for one;
    /// read in one step like [`App::first_test_id`].
    pub async fn first_text(&self, css: &str) -> String {
        self.first_in_page(css, "e.innerText").await
    }

    /// The `textContent` of the first element matching `css`, waiting for one.
    pub async fn first_content(&self, css: &str) -> String {
        self.first_in_page(css, "e.textContent").await
    }

    async fn first_in_page(&self, css: &str, read: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let script = format!(
            "const e = document.querySelector(arguments[0]); return e ? String({read}) : null;"
        );
        loop {
            let ret = self
                .driver
                .execute(&script, vec![json!(css)])
                .await
                .unwrap();
            if let Some(found) = ret.json().as_str() {
                return found.to_owned();
            }
            assert!(Instant::now() < deadline, "nothing matching {css} appeared");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Whether an element with this `data-testid` is on the screen now.
    pub async fn has(&self, test_id: &str) -> bool {
        !self
            .driver
            .find_all(By::Css(format!("[data-testid='{test_id}']")))
            .await
            .unwrap()
            .is_empty()
    }

    /// Waits until the element's text contains `needle`, and returns the text.
    pub async fn wait_text(&self, test_id: &str, needle: &str) -> String {
        self.wait_text_for(test_id, needle, WAIT).await
    }

    /// `wait_text` with a wait of its own, for what depends on a background pass.
    pub async fn wait_text_for(&self, test_id: &str, needle: &str, wait: Duration) -> String {
        let deadline = Instant::now() + wait;
        loop {
            let text = self.get(test_id).await.text().await.unwrap_or_default();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "[data-testid='{test_id}'] never contained {needle:?}; last text: {text:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Like `wait_text`, but reads the DOM's `textContent` (WebKitWebDriver's visible text skips
    /// parts of some buttons' content).
    pub async fn wait_content(&self, test_id: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self
                .get(test_id)
                .await
                .prop("textContent")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "[data-testid='{test_id}'] never held {needle:?}; last content: {text:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn value(&self, test_id: &str) -> String {
        self.get(test_id)
            .await
            .value()
            .await
            .unwrap()
            .unwrap_or_default()
    }
}
