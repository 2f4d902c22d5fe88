//! Status updates and day-wide notices in the real app (Sandbox): "running late" from an
//! appointment reaches the customer's phone; a notice to a day with three appointments says
//! beforehand that one client opted out, goes to the other two, and "1" from a customer marks
//! that appointment "reschedule requested".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::{desks, App};

#[tokio::test(flavor = "multi_thread")]
async fn running_late_and_a_day_notice_reach_the_right_people() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let (day, ids) = desks::with_a_day_to_notify(&db);
    let app = App::start(&db).await;

    // "Running late" from Ann's appointment in the calendar.
    app.click("nav-calendar").await;
    app.click("cal-view-day").await;
    app.click("cal-next").await;
    app.click(&format!("cal-event-{}", ids[0])).await;
    app.click_until("send-update", "update-dialog").await;
    app.click("update-template-update_running_late").await;
    app.type_into("update-minutes", "20").await;
    app.wait_text("update-preview", "about 20 minutes late")
        .await;
    app.screenshot("update-dialog").await;
    app.click("update-send").await;
    app.open_sandbox_phone("+447400123001").await;
    app.wait_text("sandbox-phone-thread", "about 20 minutes late")
        .await;
    app.click("sandbox-phone-close").await;

    // A notice for that day: the preview says Cy opted out before anything is sent.
    app.click("nav-today").await;
    app.click_until("today-notice", "notice-dialog").await;
    app.set_value("notice-date", &day).await;
    app.type_into(
        "notice-text",
        "{business}: sorry, we're closed on {weekday} because of a power cut. Reply 1 to pick a new time.",
    )
    .await;
    app.click("notice-preview").await;
    let list = app.wait_content("notice-recipients", "Cy Dee").await;
    assert!(list.contains("opted out"), "{list}");
    app.wait_content("notice-totals", "2").await;
    app.screenshot("notice-preview").await;
    app.click("notice-send").await;
    app.wait_content("notice-progress", "2 of 2").await;
    app.click("notice-close").await;

    // Bo answers "1": his appointment asks to be rescheduled; Cy got nothing.
    app.open_sandbox_phone("+447400123002").await;
    app.wait_text("sandbox-phone-thread", "power cut").await;
    app.type_into("sandbox-phone-input", "1").await;
    app.click("sandbox-phone-send").await;
    app.wait_text("sandbox-phone-thread", "new time").await;
    app.open_sandbox_phone("+447400123003").await;
    let cy = app.get("sandbox-phone-thread").await.text().await.unwrap();
    assert!(!cy.contains("power cut"), "{cy}");
    app.click("sandbox-phone-close").await;
    let status: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT status FROM appointments WHERE id = ?1",
            [ids[1]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "reschedule_requested");
    app.click("nav-inbox").await;
    app.wait_content("inbox-list", "Bo Ray").await;
    app.wait_content("inbox-list", "Reschedule requested").await;
    app.quit().await;
}
