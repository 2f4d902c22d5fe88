//! A calendar feed in the real app: its address is added in Settings (kept in the OS keyring,
//! never in the database), its bookings appear in the calendar, and its last read shows on
//! Today. The calendar is served by a local HTTP server as Google Calendar writes it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use chrono::{Duration, Utc};
use tidings_e2e::App;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FEED_PATH: &str = "/calendar/ical/front.desk%40gmail.com/private-e2e0s3cret/basic.ics";

#[tokio::test(flavor = "multi_thread")]
async fn add_a_feed_in_settings_see_its_bookings_in_the_calendar_and_its_status_on_today() {
    // Tomorrow's bookings, as the test clock has it.
    let day = (Utc::now() + Duration::days(1)).format("%Y%m%d");
    let ics = format!(
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nX-WR-TIMEZONE:UTC\r\n\
BEGIN:VEVENT\r\nDTSTART:{day}T100000Z\r\nDTEND:{day}T110000Z\r\nUID:ann@google.com\r\nSTATUS:CONFIRMED\r\nSUMMARY:Cut\r\nATTENDEE;CN=Ann Lee;ROLE=REQ-PARTICIPANT:tel:+447400123001\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:{day}T140000Z\r\nDTEND:{day}T144500Z\r\nUID:bo@google.com\r\nSTATUS:CONFIRMED\r\nSUMMARY:Colour - Bo Diaz 07400 123002\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n"
    );
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(FEED_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/calendar; charset=UTF-8")
                .set_body_string(ics),
        )
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Quay Clinic", "UTC", "GB").await;

    app.click("nav-settings").await;
    app.get("feed-settings").await;
    // A wrong address is refused with why, and nothing is kept.
    app.type_into(
        "feed-address",
        &format!("{}/nothing-here.ics", server.uri()),
    )
    .await;
    app.click("feed-add").await;
    app.wait_text("feed-add-error", "answered “not found” (404 Not Found)")
        .await;
    assert!(!app.has("feed-list").await);

    app.set_value("feed-address", &format!("{}{FEED_PATH}", server.uri()))
        .await;
    app.type_into("feed-name", "Front desk calendar").await;
    app.click("feed-add").await;
    app.wait_text("feed-note", "Front desk calendar: 2 new")
        .await;
    let status = app.wait_text("feed-status", "Read ").await;
    assert!(status.contains("2 new"), "{status}");
    app.screenshot("feed-added").await;

    // The address is a secret: the database keeps only its hidden form.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let leaked: i64 = conn
        .query_row(
            "SELECT count(*) FROM feeds WHERE shown LIKE '%e2e0s3cret%' OR name LIKE '%e2e0s3cret%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaked, 0);
    let shown: String = conn
        .query_row("SELECT shown FROM feeds", [], |r| r.get(0))
        .unwrap();
    assert!(shown.ends_with("/…/basic.ics"), "{shown}");

    // Tomorrow in the calendar: both bookings, the client read from the guest and the title.
    app.click("nav-calendar").await;
    app.get("calendar-screen").await;
    app.click("cal-view-day").await;
    app.click("cal-next").await;
    app.click_first("cal-event-").await;
    let panel = app
        .wait_text("appointment-panel", "Front desk calendar")
        .await;
    assert!(
        panel.contains("Ann Lee") || panel.contains("Bo Diaz"),
        "{panel}"
    );
    app.screenshot("feed-booking-in-calendar").await;
    let names: Vec<String> = conn
        .prepare("SELECT c.name FROM appointments a JOIN clients c ON c.id = a.client_id ORDER BY a.starts_at")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, ["Ann Lee", "Bo Diaz"]);

    // Today tells the desk the feed's last read.
    app.click("nav-today").await;
    app.wait_text("today-feeds", "Front desk calendar").await;
    app.wait_text("today-feeds", "2 new").await;
    app.screenshot("feed-on-today").await;
    app.quit().await;
}
