//! Writes another process makes to the app's database reach its open window: a command-line
//! import while the calendar is open shows its booking within 2 seconds, with no reload.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::time::{Duration, Instant};

use chrono::Utc;
use tidings_e2e::thirtyfour::prelude::*;
use tidings_e2e::{cli_binary, App};

#[tokio::test(flavor = "multi_thread")]
async fn a_command_line_import_shows_in_the_open_calendar_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Quay Clinic", "UTC", "GB").await;

    // The calendar open on tomorrow, empty.
    app.click("nav-calendar").await;
    app.click("cal-view-day").await;
    app.click("cal-next").await;
    app.get("calendar-screen").await;
    let events = "[data-testid^='cal-event-']";
    assert!(app
        .driver
        .find_all(By::Css(events))
        .await
        .unwrap()
        .is_empty());
    // A marker on the page: if the window reloaded to show the import, it would be gone.
    app.driver
        .execute("window.__stillTheSamePage = true;", vec![])
        .await
        .unwrap();

    // Meanwhile, at the command line: tomorrow 10:00–10:30, from a booking system's calendar.
    let tomorrow = (Utc::now() + chrono::Duration::days(1)).format("%Y%m%d");
    let ics = dir.path().join("bookings.ics");
    std::fs::write(
        &ics,
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tidings test//EN\r\nBEGIN:VEVENT\r\n\
             UID:other-process@booking.example\r\nDTSTAMP:20270101T000000Z\r\n\
             DTSTART:{tomorrow}T100000Z\r\nDTEND:{tomorrow}T103000Z\r\n\
             SUMMARY:Haircut - Maria Lopez\r\nATTENDEE;CN=Maria Lopez:tel:+447400123009\r\n\
             END:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
    )
    .unwrap();
    let out = std::process::Command::new(cli_binary())
        .arg("--db")
        .arg(&db)
        .args(["import", "appointments"])
        .arg(&ics)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the import failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let imported = Instant::now();

    // The open calendar shows it, without a reload, within 2 seconds.
    loop {
        if !app
            .driver
            .find_all(By::Css(events))
            .await
            .unwrap()
            .is_empty()
        {
            break;
        }
        assert!(
            imported.elapsed() < Duration::from_secs(2),
            "the imported booking did not show in the open calendar within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = imported.elapsed();
    eprintln!(
        "the command-line import showed in the window after {:.2} s",
        took.as_secs_f32()
    );
    let text = app.first_content(events).await;
    assert!(text.contains("Maria Lopez"), "{text}");
    let same = app
        .driver
        .execute("return window.__stillTheSamePage === true;", vec![])
        .await
        .unwrap();
    assert_eq!(same.json().as_bool(), Some(true), "the window reloaded");
    app.screenshot("calendar-import-from-command-line").await;
    app.quit().await;
}
