//! The installed package, as a front desk gets it: `bash .ci/package --check` builds the
//! `.deb`, installs it with apt, and runs this test against `/usr/bin/tidings` with fresh
//! per-user folders. Ignored in the ordinary end-to-end run (it needs the package installed).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;

use tidings_e2e::App;
use tidings_engine::{about, paths};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the .deb installed: run by `bash .ci/package --check`"]
async fn installed_app_opens_to_setup_with_a_fresh_data_folder() {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .expect("XDG_DATA_HOME names the fresh data folder");
    let db = data.join(paths::APP_IDENTIFIER).join(paths::DB_FILE_NAME);
    assert!(
        !db.exists(),
        "{} exists: not a fresh data folder",
        db.display()
    );

    // Started with no arguments, as the desktop entry starts it.
    let app = App::start_default(&db).await;
    app.get("setup-business-name").await;
    app.screenshot("installed-setup").await;
    assert!(
        db.is_file(),
        "the app did not make its database in the per-user data folder ({})",
        db.display()
    );

    // Set up, then About names this very commit, built for release.
    app.set_up("Installed Salon", "America/Chicago", "US").await;
    app.click("nav-settings").await;
    let expected = format!("{} (build {})", about::VERSION, about::BUILD);
    let shown = app.wait_text("about-version", &expected).await;
    assert_eq!(
        shown, expected,
        "About should name a release build of this commit"
    );
    app.quit().await;
}
