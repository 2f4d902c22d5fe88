//! A desk that works from the keyboard alone, in the real app: first-run setup, a booking from
//! the calendar and an answer to a customer's text, with no mouse on the desk's side (the
//! customer's own text comes from the Sandbox phone, which stands in for their handset).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::{App, ENTER};

#[tokio::test(flavor = "multi_thread")]
async fn setup_booking_and_an_answer_by_keyboard_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;

    // Setup: each step starts with the keyboard on its first field, and Tab follows the form.
    app.get("setup-business-name").await;
    app.wait_focused("setup-business-name").await;
    app.press("Harbour Hair").await;
    app.press(ENTER).await;
    app.wait_focused("setup-timezone-search").await;
    // Friendly names: "Central Time — Chicago"; Enter in the search picks the first match.
    app.press("Chicago").await;
    app.press(ENTER).await;
    assert_eq!(app.value("setup-timezone").await, "America/Chicago");
    app.wait_text("setup-timezone-now", "Central Time — Chicago")
        .await;
    app.screenshot("setup-zone-by-keyboard").await;
    let stops = app.tab_to("setup-next", 4).await;
    assert_eq!(stops, ["setup-timezone", "setup-back", "setup-next"]);
    app.press(ENTER).await;
    // The region follows the zone: a Chicago desk reads US numbers.
    app.wait_focused("setup-region").await;
    assert_eq!(app.value("setup-region").await, "US");
    assert_eq!(app.tab_to("setup-business-phone", 1).await.len(), 1);
    app.press("12").await;
    let stops = app.tab_to("setup-finish", 3).await;
    assert_eq!(stops, ["setup-back", "setup-finish"]);
    app.press(ENTER).await;
    // A refused number takes the keyboard back to its field.
    app.wait_text("setup-phone-error", "doesn't look like a phone number")
        .await;
    app.wait_focused("setup-business-phone").await;
    app.press("\u{E010}\u{E003}\u{E003}(312) 555-2600").await; // End, Backspace twice, the number
    app.press(ENTER).await;
    app.wait_text("today-heading", "Harbour Hair").await;

    // Booking: to the calendar by Tab, N for a new appointment, the new client typed in.
    app.tab_to("nav-calendar", 40).await;
    app.press(ENTER).await;
    app.get("calendar-screen").await;
    app.press("n").await;
    app.get("appointment-dialog").await;
    app.wait_focused("appt-client-search").await;
    app.tab_to("appt-new-client-name", 2).await;
    app.press("Ann Lee").await;
    app.tab_to("appt-new-client-phone", 1).await;
    app.press("(312) 555-2671").await;
    app.press(ENTER).await;
    app.first_test_id("cal-event-").await;
    let conn = rusqlite::Connection::open(&db).unwrap();
    let booked: i64 = conn
        .query_row(
            "SELECT count(*) FROM appointments a JOIN clients c ON c.id = a.client_id \
             WHERE c.name = 'Ann Lee' AND c.phone = '+13125552671'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(booked, 1, "the booking made by keyboard was not saved");
    app.screenshot("calendar-booked-by-keyboard").await;
    if app.has("appt-panel-close").await {
        app.press("\u{E00C}").await; // Escape closes the appointment's panel
    }

    // The customer texts a question (on their phone, the Sandbox's).
    app.open_sandbox_phone("+13125552671").await;
    app.type_into("sandbox-phone-input", "Can I bring my daughter too?")
        .await;
    app.click("sandbox-phone-send").await;
    app.wait_text("sandbox-phone-thread", "bring my daughter")
        .await;
    app.click("sandbox-phone-close").await;

    // The desk answers it: Tab to the Inbox, j opens the conversation, r goes to the answer,
    // Tab to Send.
    app.wait_text("nav-inbox-badge", "1").await;
    app.tab_to("nav-inbox", 40).await;
    app.press(ENTER).await;
    app.get("inbox-screen").await;
    app.press("j").await;
    app.wait_text("thread", "Can I bring my daughter too?")
        .await;
    app.press("r").await;
    app.wait_focused("thread-composer").await;
    app.press("Of course, see you both then.").await;
    app.tab_to("thread-send", 4).await;
    app.press(ENTER).await;
    app.wait_text("thread", "Of course, see you both then.")
        .await;
    assert_eq!(app.value("thread-composer").await, "");
    app.screenshot("inbox-answered-by-keyboard").await;
    app.quit().await;
}
