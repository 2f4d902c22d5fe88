//! The mouse: scrolling to an element, its place on the page, dragging, clicking at a point.

use crate::App;

impl App {
    /// Scrolls the first element matching `css` to the middle of its scrolling area.
    pub async fn scroll_to(&self, css: &str) {
        self.driver
            .execute(
                "const e = document.querySelector(arguments[0]);
                 if (e) e.scrollIntoView({block: 'center'});",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap();
    }

    /// The viewport rectangle (left, top, width, height) of the first element matching `css`.
    pub async fn rect(&self, css: &str) -> (f64, f64, f64, f64) {
        let ret = self
            .driver
            .execute(
                "const e = document.querySelector(arguments[0]);
                 if (!e) return null;
                 const r = e.getBoundingClientRect();
                 return [r.left, r.top, r.width, r.height];",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap();
        let v: Vec<f64> = serde_json::from_value(ret.json().clone())
            .unwrap_or_else(|_| panic!("nothing matches {css}"));
        (v[0], v[1], v[2], v[3])
    }

    /// Presses at a point, moves in small steps to another, and releases, as a hand would.
    pub async fn drag(&self, from: (f64, f64), to: (f64, f64)) {
        let steps = 8;
        let mut chain = self
            .driver
            .action_chain()
            .move_to(from.0 as i64, from.1 as i64)
            .click_and_hold();
        let (dx, dy) = (
            (to.0 - from.0) / steps as f64,
            (to.1 - from.1) / steps as f64,
        );
        for i in 1..=steps {
            chain = chain.move_to(
                (from.0 + dx * i as f64) as i64,
                (from.1 + dy * i as f64) as i64,
            );
        }
        chain.release().perform().await.unwrap();
    }

    /// One click at a point of the page, as a mouse would (press and release, no movement).
    pub async fn click_at(&self, at: (f64, f64)) {
        self.driver
            .action_chain()
            .move_to(at.0 as i64, at.1 as i64)
            .click()
            .perform()
            .await
            .unwrap();
    }
}
