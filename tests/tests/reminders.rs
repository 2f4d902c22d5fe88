//! Reminders in the real app (Sandbox): one click turns on the Standard preset, an appointment
//! booked for the day after tomorrow shows its two planned reminders, and the template editor counts
//! segments as the text changes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::thirtyfour::prelude::*;
use tidings_e2e::App;

#[tokio::test(flavor = "multi_thread")]
async fn one_click_reminders_planned_two_days_ahead_and_a_live_segment_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Quay Clinic", "UTC", "GB").await;

    // One click from Today.
    app.get("today-reminders-card").await;
    app.click("today-preset-standard").await;
    app.click("nav-reminders").await;
    app.wait_text("rules", "24 hours before").await;
    app.wait_text("rules", "2 hours before").await;

    // Book the day after tomorrow, 14:00-15:00, by dragging in the day view: both reminders
    // (24 and 2 hours before) are then still ahead at whatever time of day this runs.
    app.click("nav-calendar").await;
    app.click("cal-view-day").await;
    app.click("cal-next").await;
    app.click("cal-next").await;
    let grid = app.rect(".ec-body .ec-grid").await;
    let day = app.rect(".ec-body .ec-grid .ec-day").await;
    let y = |hour: f64| grid.1 + (hour - 7.0) * grid.3 / 14.0;
    app.scroll_to(".ec-body .ec-sidebar time[datetime$='T14:00:00']")
        .await;
    let grid = app.rect(".ec-body .ec-grid").await;
    let y = |hour: f64| grid.1 + (hour - 7.0) * grid.3 / 14.0 + 0.0 * y(0.0);
    let x = day.0 + day.2 / 2.0;
    app.drag((x, y(14.0) + 6.0), (x, y(15.0) - 6.0)).await;
    app.get("appointment-dialog").await;
    assert!(app.value("appt-start").await.ends_with("14:00"));
    app.type_into("appt-new-client-name", "Ann Lee").await;
    app.type_into("appt-new-client-phone", "07400 123001").await;
    app.click("appt-save").await;
    app.driver
        .query(By::Css("[data-testid^='cal-event-']"))
        .first()
        .await
        .unwrap();

    // Its two reminders wait in the outbox.
    app.click("nav-reminders").await;
    let outbox = app.wait_text("outbox", "Ann Lee").await;
    let rows = app
        .driver
        .find_all(By::Css("[data-testid^='outbox-']:not([data-testid^='outbox-skip']):not([data-testid^='outbox-send'])"))
        .await
        .unwrap();
    let mut planned = 0;
    for row in rows {
        let text = row.text().await.unwrap();
        if text.contains("Ann Lee") {
            planned += 1;
            // Booked without consent: the desk is told now, not at send time.
            assert!(text.contains("Won't be sent"), "{text}");
            assert!(text.contains("no consent for appointment texts"), "{text}");
        }
    }
    assert_eq!(planned, 2, "{outbox}");
    app.scroll_to("[data-testid='outbox']").await;
    app.screenshot("reminders-wont-be-sent").await;

    // From the appointment itself: record consent, and both reminders will go.
    app.click("nav-calendar").await;
    app.click("cal-view-day").await;
    app.click("cal-next").await;
    app.click("cal-next").await;
    app.click_first("cal-event-").await;
    app.wait_text("appt-needs-consent", "no consent on record")
        .await;
    let first = app.first_test_id("appt-message-status-").await;
    app.wait_text(&first, "Won't be sent").await;
    app.scroll_to("[data-testid='appt-needs-consent']").await;
    app.screenshot("appointment-needs-consent").await;
    app.click("appt-record-consent").await;
    app.choose("consent-channel", "front_desk_verbal").await;
    app.type_into("consent-recorded-by", "Sam").await;
    app.click("consent-confirm").await;
    app.wait_text(&first, "Planned").await;
    assert!(
        !app.has("appt-needs-consent").await,
        "still asks for consent"
    );
    let statuses = app.first_text("[data-testid='appt-messages']").await;
    assert!(!statuses.contains("Won't be sent"), "{statuses}");
    app.scroll_to("[data-testid='appt-messages']").await;
    app.screenshot("appointment-consent-recorded").await;
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM messages WHERE status = 'planned'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 2);
    }
    app.screenshot("reminders-planned").await;

    // Edit the reminder: a curly apostrophe turns it UCS-2; one click fixes it.
    app.click("nav-reminders").await;
    app.click("template-reminder_confirm").await;
    app.get("template-editor").await;
    app.wait_text("segment-count", "GSM-7").await;
    let body = app.get("template-body").await;
    body.send_keys(" It’s on us.").await.unwrap();
    app.wait_text("segment-count", "UCS-2").await;
    app.wait_text("non-gsm", "’").await;
    app.click("fix-punctuation").await;
    app.wait_text("segment-count", "GSM-7").await;
    assert!(app.value("template-body").await.ends_with("It's on us."));
    app.click("template-save").await;
    app.wait_text("template-history", "2").await;
    app.screenshot("template-editor").await;
    app.quit().await;

    let conn = rusqlite::Connection::open(&db).unwrap();
    let body: String = conn
        .query_row(
            "SELECT v.body FROM template_versions v JOIN templates t ON t.id = v.template_id
             WHERE t.key = 'reminder_confirm' ORDER BY v.version DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(body.ends_with("It's on us."), "{body}");
}
