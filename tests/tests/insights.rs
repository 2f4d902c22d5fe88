//! Insights in the real app after a Sandbox journey: a reminder goes out, the customer answers
//! YES on the Sandbox phone, and Insights counts the text, the reply and the confirmation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::{desks, App};

#[tokio::test(flavor = "multi_thread")]
async fn after_a_sandbox_journey_insights_shows_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    desks::with_a_due_reminder(&db, &[6]);
    let app = App::start(&db).await;
    app.click("nav-reminders").await;
    app.wait_text("outbox", "Delivered").await;

    app.open_sandbox_phone("+447400123001").await;
    app.type_into("sandbox-phone-input", "YES").await;
    app.click("sandbox-phone-send").await;
    app.wait_text("sandbox-phone-thread", "confirmed").await;
    app.click("sandbox-phone-close").await;

    app.click("nav-insights").await;
    // The reminder and the confirmation reply: 2 texts, both delivered.
    app.wait_content("insights-metric-sent-value", "2").await;
    app.wait_content("insights-metric-delivered-counts", "2 of 2")
        .await;
    // One reminder, answered within 48 hours, confirmed.
    app.wait_content("insights-metric-response-counts", "1 of 1")
        .await;
    app.wait_content("insights-metric-confirmation-counts", "1 of 1")
        .await;
    app.wait_content("insights-metric-opt_outs-counts", "0 of 2")
        .await;
    app.wait_content("insights-funnel-replied", "1").await;
    // The YES was a conversation automation handled alone; no follow-ups were asked.
    app.wait_content("insights-metric-deflection-counts", "1 of 1 conversations")
        .await;
    app.wait_content("insights-metric-follow_ups-counts", "0 of 0 answered")
        .await;
    // The one rule that sent it: answered and confirmed.
    app.wait_content("insights-rule-0", "100.0% (1 of 1)").await;
    let definition = app
        .wait_content("insights-metric-response-definition", "48 hours")
        .await;
    assert!(definition.contains("answered"), "{definition}");
    app.screenshot("insights").await;
    app.click("insights-export").await;
    let saved = app.wait_content("insights-export-result", ".csv").await;
    assert!(saved.contains("insights-"), "{saved}");
    app.quit().await;
}
