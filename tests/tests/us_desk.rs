//! A US desk, as it sets itself up: the business phone asked at setup and given in the answer
//! to HELP, and times written the American way on screen and in the texts customers get.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::thirtyfour::prelude::*;
use tidings_e2e::App;

#[tokio::test(flavor = "multi_thread")]
async fn a_us_desk_gives_its_phone_in_help_and_writes_12_hour_times() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;

    // Setup asks for the business phone; a number that isn't one is refused on its own field.
    app.type_into("setup-business-name", "Lakeview Dental")
        .await;
    app.click("setup-next").await;
    app.type_into("setup-timezone-search", "Chicago").await;
    app.choose("setup-timezone", "America/Chicago").await;
    app.click("setup-next").await;
    app.choose("setup-region", "US").await;
    app.type_into("setup-business-phone", "12").await;
    app.click("setup-finish").await;
    app.wait_text("setup-phone-error", "doesn't look like a phone number")
        .await;
    app.type_into("setup-business-phone", "(312) 555-2600")
        .await;
    app.click("setup-finish").await;
    app.wait_text("today-heading", "Lakeview Dental").await;
    assert!(
        !app.has("today-no-business-phone").await,
        "Today still asks for the phone"
    );
    // Quiet hours that never get in the way of this test, whatever time CI runs it.
    tidings_e2e::desks::with_quiet_hours_out_of_the_way(&db);
    app.click("today-preset-light").await;

    // Ann, with consent for appointment texts.
    app.add_client_with_consent("Ann Lee", "(312) 555-2671")
        .await;

    // She texts HELP: the answer gives the number to call.
    app.open_sandbox_phone("+13125552671").await;
    app.type_into("sandbox-phone-input", "help").await;
    app.click("sandbox-phone-send").await;
    let thread = app
        .wait_text("sandbox-phone-thread", "Call (312) 555-2600 for help")
        .await;
    assert!(!thread.contains("Call  for"), "{thread}");
    app.click("sandbox-phone-close").await;

    // Tomorrow 2 PM, booked by dragging in the day view, whose hours read the American way.
    app.click("nav-calendar").await;
    app.click("cal-view-day").await;
    app.click("cal-next").await;
    app.scroll_to(".ec-body .ec-sidebar time[datetime$='T14:00:00']")
        .await;
    let label = app
        .first_text(".ec-body .ec-sidebar time[datetime$='T14:00:00']")
        .await;
    assert_eq!(label.trim(), "2:00 PM");
    let grid = app.rect(".ec-body .ec-grid").await;
    let day = app.rect(".ec-body .ec-grid .ec-day").await;
    let y = |hour: f64| grid.1 + (hour - 7.0) * grid.3 / 14.0;
    let x = day.0 + day.2 / 2.0;
    app.drag((x, y(14.0) + 6.0), (x, y(15.0) - 6.0)).await;
    app.get("appointment-dialog").await;
    app.type_into("appt-client-search", "Ann").await;
    app.click_first("appt-client-option-").await;
    app.click("appt-save").await;
    app.click_first("cal-event-").await;
    app.wait_text("appt-when", "2:00 PM–3:00 PM").await;
    app.screenshot("us-desk-appointment").await;

    // The reminder is due at once (its 24 hours have begun); if it still waits, send it now.
    app.click("nav-reminders").await;
    app.wait_text("outbox", "Ann Lee").await;
    if let Some(button) = app
        .driver
        .find_all(By::Css("[data-testid^='outbox-send-']"))
        .await
        .unwrap()
        .into_iter()
        .next()
    {
        let _ = button.click().await;
    }
    app.open_sandbox_phone("+13125552671").await;
    let thread = app.wait_text("sandbox-phone-thread", "at 2:00 PM").await;
    assert!(!thread.contains("14:00"), "{thread}");
    app.screenshot("us-desk-reminder").await;
    app.quit().await;
}
