//! A customer answers a reminder on the Sandbox phone and the calendar shows it confirmed;
//! markup in a customer's text is shown as text and never runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::thirtyfour::prelude::*;
use tidings_e2e::App;

#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_answered_yes_on_the_sandbox_phone_confirms_the_appointment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Quay Clinic", "UTC", "GB").await;
    // Quiet hours that never get in the way of this test, whatever time CI runs it.
    tidings_e2e::desks::with_quiet_hours_out_of_the_way(&db);
    app.click("today-preset-light").await;

    // Ann, with consent for appointment texts.
    app.add_client_with_consent("Ann Lee", "07400 123001").await;

    // Tomorrow 14:00, booked by dragging in the day view.
    app.click("nav-calendar").await;
    app.click("cal-view-day").await;
    app.click("cal-next").await;
    app.scroll_to(".ec-body .ec-sidebar time[datetime$='T14:00:00']")
        .await;
    let grid = app.rect(".ec-body .ec-grid").await;
    let day = app.rect(".ec-body .ec-grid .ec-day").await;
    let y = |hour: f64| grid.1 + (hour - 7.0) * grid.3 / 14.0;
    let x = day.0 + day.2 / 2.0;
    app.drag((x, y(14.0) + 6.0), (x, y(15.0) - 6.0)).await;
    app.get("appointment-dialog").await;
    app.type_into("appt-client-search", "Ann").await;
    app.click_first("appt-client-option-").await;
    app.click("appt-save").await;
    let event_id = app.first_test_id("cal-event-").await;

    // The reminder is due at once (its 24 hours have begun), so the scheduler sends it; if
    // it is still waiting, send it now from the outbox.
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
        // Sent by the scheduler meanwhile, the button is gone: nothing to do then.
        let _ = button.click().await;
    }

    // On the Sandbox phone: the reminder arrived; Ann answers YES.
    app.open_sandbox_phone("+447400123001").await;
    app.wait_text("sandbox-phone-thread", "Reply YES to confirm")
        .await;
    app.type_into("sandbox-phone-input", "Yes!").await;
    app.click("sandbox-phone-send").await;
    app.wait_text("sandbox-phone-thread", "you're confirmed")
        .await;

    // Markup from a customer is text.
    app.type_into(
        "sandbox-phone-input",
        "<img src=x onerror=\"document.title='owned'\"><script>document.title='owned'</script>",
    )
    .await;
    app.click("sandbox-phone-send").await;
    app.wait_text("sandbox-phone-thread", "<img src=x").await;
    let images = app
        .driver
        .find_all(By::Css("[data-testid='sandbox-phone-thread'] img"))
        .await
        .unwrap();
    assert!(images.is_empty());
    assert_ne!(app.driver.title().await.unwrap(), "owned");
    app.screenshot("sandbox-phone").await;
    app.click("sandbox-phone-close").await;

    // The calendar shows the appointment confirmed.
    // (Tomorrow's day: on a Sunday it lies outside the week the calendar opens on.)
    app.click("nav-calendar").await;
    app.click("cal-view-day").await;
    app.click("cal-today").await;
    app.click("cal-next").await;
    app.click(&event_id).await;
    app.wait_text("appt-status", "Confirmed").await;
    app.quit().await;
}
