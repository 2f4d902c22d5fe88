//! The calendar in the real app: create an appointment by dragging across empty slots, drag
//! it to another day, reopen the app and find it at the new time; import an ICS file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use chrono::{Duration, NaiveDate, Utc};
use tidings_e2e::thirtyfour::prelude::*;
use tidings_e2e::App;

fn starts_at(db: &std::path::Path, id: i64) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT starts_at FROM appointments WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .unwrap()
}

/// The date shown over week column `index` (0 = first day of the week).
async fn column_date(app: &App, index: usize) -> NaiveDate {
    let heads = app
        .driver
        .find_all(By::Css(".ec-header .ec-col-head time"))
        .await
        .unwrap();
    let text = heads[index].attr("datetime").await.unwrap().unwrap();
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").unwrap()
}

/// The centre x of a week column and the y of an hour line in the time grid, which runs
/// from 07:00 to 21:00.
async fn grid_point(app: &App, column: usize, hour: u32) -> (f64, f64) {
    let grid = app.rect(".ec-body .ec-grid").await;
    let day = app
        .rect(&format!(
            ".ec-body .ec-grid .ec-day:nth-of-type({})",
            column + 1
        ))
        .await;
    let y = grid.1 + f64::from(hour - 7) * grid.3 / 14.0;
    (day.0 + day.2 / 2.0, y)
}

#[tokio::test(flavor = "multi_thread")]
async fn drag_to_book_drag_to_move_and_find_it_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Quay Clinic", "UTC", "GB").await;
    app.click("nav-calendar").await;
    app.get("calendar-screen").await;
    app.click("cal-view-week").await;

    // Drag from 10:00 to 11:00 on the week's second day.
    let tuesday = column_date(&app, 1).await;
    app.scroll_to(".ec-body .ec-sidebar time[datetime$='T10:00:00']")
        .await;
    let (x, top) = grid_point(&app, 1, 10).await;
    let (_, bottom) = grid_point(&app, 1, 11).await;
    app.drag((x, top + 6.0), (x, bottom - 6.0)).await;

    app.get("appointment-dialog").await;
    let start = app.value("appt-start").await;
    assert!(start.starts_with(&format!("{tuesday}T10:00")), "{start}");
    app.type_into("appt-new-client-name", "Ann Lee").await;
    app.type_into("appt-new-client-phone", "07400 123001").await;
    app.click("appt-save").await;

    let id: i64 = app
        .first_test_id("cal-event-")
        .await
        .trim_start_matches("cal-event-")
        .parse()
        .unwrap();
    assert_eq!(starts_at(&db, id), format!("{tuesday}T10:00:00Z"));
    app.screenshot("calendar-booked").await;

    // Drag it one column to the right: same time, next day.
    let wednesday = column_date(&app, 2).await;
    assert_eq!(wednesday, tuesday + Duration::days(1));
    let card = app.rect(&format!("[data-testid='cal-event-{id}']")).await;
    let (next_x, _) = grid_point(&app, 2, 10).await;
    let from = (card.0 + card.2 / 2.0, card.1 + card.3 / 2.0);
    app.drag(from, (next_x, from.1)).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while starts_at(&db, id) != format!("{wednesday}T10:00:00Z") {
        assert!(
            std::time::Instant::now() < deadline,
            "not moved: {}",
            starts_at(&db, id)
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.quit().await;

    // Reopen: the appointment is on Wednesday at 10:00.
    let app = App::start(&db).await;
    app.click("nav-calendar").await;
    app.click("cal-view-week").await;
    app.scroll_to(&format!("[data-testid='cal-event-{id}']"))
        .await;
    let card = app.rect(&format!("[data-testid='cal-event-{id}']")).await;
    let column = app.rect(".ec-body .ec-grid .ec-day:nth-of-type(3)").await;
    let centre = card.0 + card.2 / 2.0;
    assert!(
        centre > column.0 && centre < column.0 + column.2,
        "not in Wednesday's column"
    );
    let (_, ten) = grid_point(&app, 2, 10).await;
    let card = app.rect(&format!("[data-testid='cal-event-{id}']")).await;
    assert!(
        (card.1 - ten).abs() < 6.0,
        "not at 10:00: card top {} vs 10:00 at {ten}",
        card.1
    );
    app.click(&format!("cal-event-{id}")).await;
    app.wait_text("appointment-panel", "Ann Lee").await;
    app.screenshot("calendar-moved").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn book_with_one_click_on_a_free_time_with_the_n_key_and_the_button() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Quay Clinic", "UTC", "GB").await;
    // Today scrolled down, then the calendar: it opens with its heading and toolbar in view,
    // not at the scroll position of the screen before.
    let before = app
        .driver
        .execute(
            "const m = document.querySelector('main.content'); m.scrollTop = 300; return m.scrollTop;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        before.json().as_f64().unwrap_or(0.0) > 0.0,
        "Today did not scroll"
    );
    app.click("nav-calendar").await;
    app.get("calendar-screen").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let scrolled = app
        .driver
        .execute(
            "return document.querySelector('main.content').scrollTop;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        scrolled.json().as_f64(),
        Some(0.0),
        "the calendar opened scrolled past its heading and toolbar"
    );
    app.screenshot("calendar-opened").await;
    app.click("cal-view-week").await;

    // One click at 15:00 on the week's fourth day opens the booking there, half an hour long.
    let thursday = column_date(&app, 3).await;
    app.scroll_to(".ec-body .ec-sidebar time[datetime$='T15:00:00']")
        .await;
    let (x, three) = grid_point(&app, 3, 15).await;
    app.click_at((x, three + 6.0)).await;
    app.get("appointment-dialog").await;
    assert_eq!(app.value("appt-start").await, format!("{thursday}T15:00"));
    assert_eq!(app.value("appt-end").await, format!("{thursday}T15:30"));
    app.type_into("appt-new-client-name", "Ann Lee").await;
    app.type_into("appt-new-client-phone", "07400 123001").await;
    app.click("appt-save").await;
    let id: i64 = app
        .first_test_id("cal-event-")
        .await
        .trim_start_matches("cal-event-")
        .parse()
        .unwrap();
    assert_eq!(starts_at(&db, id), format!("{thursday}T15:00:00Z"));
    app.click("appt-panel-close").await;

    // N opens a new booking (anywhere on the calendar but in a field); the client is found by
    // typing.
    app.press("n").await;
    app.get("appointment-dialog").await;
    app.screenshot("calendar-new-by-keyboard").await;
    app.type_into("appt-client-search", "Ann").await;
    app.click_first("appt-client-option-").await;
    app.click("appt-save").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM appointments", [], |r| r.get(0))
            .unwrap();
        if n == 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second booking was not saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The dialog closes once the window has the saved booking, a moment after the database does.
    while app.has("appointment-dialog").await {
        assert!(
            std::time::Instant::now() < deadline,
            "the booking dialog did not close after saving"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // And the visible button does the same.
    app.click("new-appointment").await;
    app.get("appointment-dialog").await;
    app.click("appt-cancel").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn import_an_ics_file_through_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    // Next week's bookings, written as a booking system would.
    let day = (Utc::now() + Duration::days(7)).format("%Y%m%d");
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Booking//EN\r\n\
BEGIN:VEVENT\r\nUID:e1\r\nDTSTART;TZID=Europe/London:{day}T090000\r\nDTEND;TZID=Europe/London:{day}T100000\r\nSUMMARY:Cut\r\nATTENDEE;CN=Ann Lee:tel:+447400123001\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:e2\r\nDTSTART:{day}T140000Z\r\nDURATION:PT45M\r\nSUMMARY:Bo Diaz 07400 123002\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:e3\r\nDTSTART:{day}T160000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:Cy 07400 123003\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:e4\r\nDTSTART:{day}T170000Z\r\nSUMMARY:Walk-in\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n"
    );
    let file = dir.path().join("bookings.ics");
    std::fs::write(&file, ics).unwrap();

    let app = App::start(&db).await;
    app.set_up("Quay Clinic", "Europe/London", "GB").await;
    app.click("nav-calendar").await;
    app.click("import-appointments").await;
    app.attach("appt-import-file", &file).await;
    let summary = app.wait_text("appt-import-summary", "2 new").await;
    assert!(summary.contains("1 skipped"), "{summary}");
    assert!(summary.contains("1 without a phone number"), "{summary}");
    app.wait_text("appt-import-row-3", "nothing to cancel")
        .await;
    app.click("appt-import-run").await;
    app.wait_text("appt-import-report", "Walk-in").await;
    app.screenshot("appointment-import").await;
    app.quit().await;

    let conn = rusqlite::Connection::open(&db).unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM appointments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 2);
}
