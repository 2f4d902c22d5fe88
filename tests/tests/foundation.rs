//! The foundation through the real app: first-run setup, persistence across a restart, the
//! Sandbox banner, and a damaged database refused with a clear message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::App;

#[tokio::test(flavor = "multi_thread")]
async fn setup_then_restart_keeps_business_name_and_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");

    let app = App::start(&db).await;
    // Step 1: an empty name is refused right there.
    app.type_into("setup-business-name", "").await;
    app.click("setup-next").await;
    app.wait_text("setup-error", "name of your business").await;
    app.type_into("setup-business-name", "Harbour Hair").await;
    app.click("setup-next").await;

    // Step 2: find and pick a time zone.
    app.type_into("setup-timezone-search", "Chicago").await;
    app.choose("setup-timezone", "America/Chicago").await;
    app.click("setup-next").await;

    // Step 3: the phone region.
    app.choose("setup-region", "US").await;
    app.click("setup-finish").await;

    let heading = app.wait_text("today-heading", "Harbour Hair").await;
    assert!(heading.contains("Today"), "{heading}");
    let banner = app
        .wait_text("sandbox-banner", "Sandbox mode — no real texts are sent")
        .await;
    assert!(!banner.is_empty());
    app.screenshot("today-after-setup").await;
    app.quit().await;

    // The answers are in the database file itself.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let name: String = conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'business_name'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(name, "\"Harbour Hair\"");
    }

    // Restart: straight to Today, and Settings shows what was saved.
    let app = App::start(&db).await;
    app.wait_text("today-heading", "Harbour Hair").await;
    assert!(!app.has("setup-business-name").await, "setup shown again");
    app.click("nav-settings").await;
    assert_eq!(app.value("settings-business-name").await, "Harbour Hair");
    assert_eq!(app.value("settings-timezone").await, "America/Chicago");
    assert_eq!(app.value("settings-region").await, "US");
    app.screenshot("settings-after-restart").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_edits_are_saved_and_bad_values_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.type_into("setup-business-name", "Quay Clinic").await;
    app.click("setup-next").await;
    app.choose("setup-timezone", "Europe/London").await;
    app.click("setup-next").await;
    app.choose("setup-region", "GB").await;
    app.click("setup-finish").await;
    app.wait_text("today-heading", "Quay Clinic").await;

    app.click("nav-settings").await;
    app.type_into("settings-business-name", "Quay Street Clinic")
        .await;
    app.click("settings-save").await;
    app.wait_text("settings-saved", "Saved").await;
    app.click("nav-today").await;
    app.wait_text("today-heading", "Quay Street Clinic").await;

    // A limit out of range is refused with the reason, and what was typed stays.
    app.click("nav-settings").await;
    app.type_into("settings-cap-day", "99").await;
    app.click("settings-save").await;
    app.wait_text("settings-error", "1 to 50").await;
    assert_eq!(app.value("settings-cap-day").await, "99");

    // Leaving with that edit unsaved asks first; staying keeps it, leaving drops it.
    app.click("nav-today").await;
    app.wait_text("leave-settings", "not saved yet").await;
    app.screenshot("settings-leave-unsaved").await;
    app.click("leave-settings-stay").await;
    assert_eq!(app.value("settings-cap-day").await, "99");
    app.click("nav-today").await;
    app.click("leave-settings-discard").await;
    app.wait_text("today-heading", "Quay Street Clinic").await;
    app.quit().await;

    let conn = rusqlite::Connection::open(&db).unwrap();
    let name: String = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'business_name'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, "\"Quay Street Clinic\"");
    let caps: String = conn
        .query_row("SELECT value FROM settings WHERE key = 'caps'", [], |r| {
            r.get(0)
        })
        .unwrap_or_default();
    assert!(!caps.contains("99"), "an invalid cap was saved: {caps}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_database_is_explained_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let junk = b"these are meeting notes, not a database".repeat(100);
    std::fs::write(&db, &junk).unwrap();

    let app = App::start(&db).await;
    let text = app.wait_text("fatal-error", "damaged").await;
    assert!(text.contains("backup"), "{text}");
    app.screenshot("damaged-database").await;

    // Moving the damaged file aside and pressing "Try again" starts afresh, no restart needed.
    let aside = dir.path().join("damaged.sqlite3");
    std::fs::rename(&db, &aside).unwrap();
    app.click("fatal-retry").await;
    app.get("setup-business-name").await;
    app.quit().await;
    assert_eq!(std::fs::read(&aside).unwrap(), junk);
}

#[tokio::test(flavor = "multi_thread")]
async fn starting_tidings_again_brings_back_the_open_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.get("setup-business-name").await;
    assert!(!app.has("second-instance-notice").await);

    // A second start (same desktop session) hands over to the open window and exits.
    let mut second = std::process::Command::new(tidings_e2e::app_binary())
        .arg("--db")
        .arg(&db)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second Tidings did not exit: two instances are running");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(status.success(), "second start exited with {status}");
    app.wait_text("second-instance-notice", "already open")
        .await;
    app.quit().await;
}
