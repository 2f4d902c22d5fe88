//! The keyboard: pressing keys, where the focus is, and tabbing to an element.

use std::time::Instant;

use crate::waiting::{POLL, WAIT};
use crate::App;

/// The Tab and Enter keys, for [`App::press`] (WebDriver's key codes).
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

impl App {
    /// Presses keys on whatever has the focus, as a keyboard would.
    pub async fn press(&self, keys: &str) {
        self.driver
            .action_chain()
            .send_keys(keys)
            .perform()
            .await
            .unwrap();
    }

    /// The `data-testid` of the element that has the keyboard (its `id` when it has no test id;
    /// empty for the page itself).
    pub async fn focused(&self) -> String {
        self.driver
            .execute(
                "const e = document.activeElement; \
                 return !e || e === document.body ? '' : (e.dataset.testid || e.id || e.tagName);",
                vec![],
            )
            .await
            .unwrap()
            .json()
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the element with this test id has the keyboard.
    pub async fn wait_focused(&self, test_id: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.focused().await;
            if now == test_id {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the keyboard is on {now:?}, not on {test_id:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Presses Tab until `test_id` has the keyboard, at most `limit` times, and returns the
    /// stops on the way (`test_id` last), so a test can check the order too.
    pub async fn tab_to(&self, test_id: &str, limit: usize) -> Vec<String> {
        let mut stops = Vec::new();
        for _ in 0..limit {
            self.press(TAB).await;
            let now = self.focused().await;
            stops.push(now.clone());
            if now == test_id {
                return stops;
            }
        }
        panic!("{limit} presses of Tab never reached {test_id:?}; they went {stops:?}");
    }
}
