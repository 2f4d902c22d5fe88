//! Clients and consent through the real app: add a client, record consent from the dialog
//! that shows the exact disclosure, see the badge and the ledger; import a messy CSV and read
//! the per-row report; export the evidence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::{fixture, App};

#[tokio::test(flavor = "multi_thread")]
async fn add_a_client_record_consent_and_see_badge_ledger_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(&dir.path().join("tidings.sqlite3")).await;
    app.set_up("Harbour Hair", "Europe/London", "GB").await;

    app.click("nav-clients").await;
    app.wait_text("clients-screen", "No clients yet").await;
    app.click("add-client").await;
    app.type_into("client-name", "Ann Lee").await;
    app.type_into("client-phone", "07400 12300").await;
    app.click("client-save").await;
    app.wait_text("client-error", "not a valid GB number").await;
    assert_eq!(
        app.value("client-name").await,
        "Ann Lee",
        "typed values are kept"
    );
    app.type_into("client-phone", "07400 123001").await;
    app.click("client-save").await;
    let detail = app.wait_text("client-detail", "Ann Lee").await;
    assert!(
        detail.contains("+44") || detail.contains("7400"),
        "{detail}"
    );
    app.wait_text("consent-state-service", "no consent").await;

    // The dialog shows the words to read out, and refuses to record without a name.
    app.click("record-consent-service").await;
    app.wait_text(
        "consent-disclosure",
        "Harbour Hair will text you about your appointments",
    )
    .await;
    app.choose("consent-channel", "paper_form").await;
    app.type_into("consent-recorded-by", "").await;
    app.click("consent-confirm").await;
    app.get("consent-error").await;
    app.type_into("consent-recorded-by", "Sam").await;
    app.type_into("consent-evidence", "Form 17").await;
    app.click("consent-confirm").await;
    app.wait_text("consent-state-service", "granted").await;
    app.wait_text("consent-state-marketing", "no consent").await;
    let entry = app.wait_text("ledger-entry", "Sam").await;
    assert!(entry.contains("Paper form"), "{entry}");
    app.screenshot("client-with-consent").await;

    // Evidence export lands in a file the desk can hand over.
    app.click("export-csv").await;
    let saved = app.wait_text("export-result", ".csv").await;
    let path = saved
        .split_whitespace()
        .find(|w| w.ends_with(".csv"))
        .unwrap()
        .to_owned();
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.contains("+447400123001") && csv.contains("paper_form") && csv.contains("Sam"));
    std::fs::remove_file(&path).unwrap();

    // The list shows the badge; the same number again points to Ann.
    app.click("nav-clients").await;
    let badge = app.first_text("[data-testid^='badge-service-']").await;
    assert_eq!(badge.trim(), "Service: granted");
    let marketing = app.first_text("[data-testid^='badge-marketing-']").await;
    assert_eq!(marketing.trim(), "Marketing: none");

    app.click("add-client").await;
    app.type_into("client-name", "Someone Else").await;
    app.type_into("client-phone", "+44 7400 123001").await;
    app.click("client-save").await;
    app.wait_text("client-error", "Ann Lee").await;
    app.click("open-existing-client").await;
    app.wait_text("client-detail", "Ann Lee").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn import_a_messy_csv_and_read_the_per_row_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Harbour Hair", "Europe/London", "GB").await;
    app.click("nav-clients").await;
    app.click("import-clients").await;

    // A file that is not a client list is refused whole, with what to do.
    let not_csv = dir.path().join("photo.csv");
    std::fs::write(&not_csv, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    app.attach("import-file", &not_csv).await;
    app.wait_text("import-error", "not a text file").await;

    app.attach("import-file", &fixture("clients-messy.csv"))
        .await;
    let summary = app.wait_text("import-summary", "4 new").await;
    assert!(summary.contains("6 skipped"), "{summary}");
    assert_eq!(app.value("map-phone").await, "2", "Mobile column guessed");
    app.wait_text("import-row-5", "no phone number").await;
    app.wait_text("import-row-7", "same number as row 3").await;
    app.wait_text("import-row-8", "extension").await;
    app.screenshot("import-preview").await;

    app.click("import-run").await;
    let report = app.wait_text("import-report", "4").await;
    for row in ["5", "6", "7", "8", "9", "12"] {
        assert!(
            report.contains(row),
            "row {row} missing from the report: {report}"
        );
    }
    app.screenshot("import-report").await;
    app.quit().await;

    let conn = rusqlite::Connection::open(&db).unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 4);
}
