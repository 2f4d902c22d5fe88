//! Screenshots of the app, kept in `tests/artifacts/`.

use std::path::PathBuf;

use crate::paths::crate_dir;
use crate::App;

/// Where screenshots go: `tests/artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = crate_dir().join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl App {
    /// Saves a screenshot as `tests/artifacts/NAME.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = artifacts_dir().join(format!("{name}.png"));
        self.driver.screenshot(&path).await.unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size > 1000, "screenshot {name} is empty");
        path
    }
}
