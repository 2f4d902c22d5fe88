//! Sending for real, in the real app: a reminder goes out in Sandbox mode and shows as
//! delivered; a Twilio account (a local stand-in speaking Twilio's wire format) is connected
//! from Settings with its secret stored in the OS keyring, a test text goes out through it and
//! its delivery report comes back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::smsgate_fake::{self, FakeSmsGate};
use tidings_e2e::twilio_fake::{FakeTwilio, ACCOUNT_SID, API_KEY_SID};
use tidings_e2e::{desks, App};

#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_goes_out_in_sandbox_and_shows_as_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    desks::with_a_due_reminder(&db, &[6]);
    let app = App::start(&db).await;
    app.click("nav-reminders").await;
    let outbox = app.wait_text("outbox", "Delivered").await;
    assert!(outbox.contains("Ann Lee"), "{outbox}");
    app.screenshot("sandbox-reminder-delivered").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_twilio_send_a_test_text_and_see_it_delivered() {
    let twilio = FakeTwilio::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Harbour Hair", "America/New_York", "US").await;

    app.click("nav-settings").await;
    app.screenshot("settings-provider").await;
    app.wait_text("provider-status", "Sandbox").await;
    app.click("provider-choose-twilio").await;
    app.type_into("provider-account-sid", ACCOUNT_SID).await;
    app.click("provider-auth-key").await;
    app.type_into("provider-api-key-sid", API_KEY_SID).await;
    app.type_into("provider-secret", "e2e-secret-value").await;
    app.click("provider-send-number").await;
    app.type_into("provider-from-number", "(415) 555-0100")
        .await;
    app.click("provider-advanced").await;
    app.type_into("provider-base-url", &twilio.uri()).await;

    app.click("provider-test-connection").await;
    app.wait_text("provider-check-result", "Test account").await;
    app.click("provider-save").await;
    app.wait_text("provider-status", "Twilio").await;
    app.wait_text("provider-status", "+14155550100").await;

    // The secret went to the keyring, never to the database.
    let secret_in_db: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM settings WHERE value LIKE '%e2e-secret-value%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(secret_in_db, 0);

    app.type_into("provider-test-to", "(415) 555-2671").await;
    app.click("provider-send-test").await;
    // Delivery comes from the scheduler's next report poll, which may be behind a reply poll
    // to the stand-in.
    app.wait_text_for(
        "provider-test-status",
        "delivered",
        std::time::Duration::from_secs(60),
    )
    .await;
    let accepted = twilio.accepted();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(accepted[0].to, "+14155552671");
    assert!(accepted[0].body.contains("Harbour Hair"));
    app.screenshot("provider-twilio-connected").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_the_desks_android_phone_send_a_test_text_and_a_yes_from_it_confirms() {
    let phone = FakeSmsGate::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    // Ann Lee booked in 6 hours: her reminder is due, held while sending is paused.
    desks::with_a_due_reminder(&db, &[6]);
    desks::with_sending_paused(&db);
    let app = App::start(&db).await;

    app.click("nav-settings").await;
    app.click("provider-choose-smsgate").await;
    app.type_into("smsgate-address", &phone.uri()).await;
    app.type_into("smsgate-username", smsgate_fake::USERNAME)
        .await;
    app.type_into("smsgate-password", smsgate_fake::PASSWORD)
        .await;
    app.set_value("smsgate-seconds", "1").await;
    app.click("smsgate-test").await;
    app.wait_text("smsgate-check", "took the password").await;
    app.click("smsgate-save").await;
    app.wait_text("provider-status", "Android phone (SMSGate)")
        .await;
    app.screenshot("provider-smsgate-connected").await;

    // The password went to the keyring, never to the database.
    let in_db: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM settings WHERE value LIKE '%gateway-pass%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(in_db, 0);

    app.type_into("provider-test-to", "07400 123009").await;
    app.click("provider-send-test").await;
    app.wait_text_for(
        "provider-test-status",
        "delivered",
        std::time::Duration::from_secs(60),
    )
    .await;

    // Connecting resumed sending: Ann's reminder went from the phone, with its own id.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let reminder = loop {
        if let Some(t) = phone.taken().into_iter().find(|t| t.to == "+447400123001") {
            break t;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no reminder reached the phone: {:?}",
            phone.taken()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(reminder.text.contains("Quay Clinic"), "{reminder:?}");
    assert!(reminder.id.starts_with("td"), "{reminder:?}");

    // She answers YES on the phone: read from its inbox, the appointment is confirmed.
    phone.receive("in-1", "+447400123001", "Yes", chrono::Utc::now());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let status: String = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT status FROM appointments", [], |r| r.get(0))
            .unwrap();
        if status == "confirmed" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the YES was not read: {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let texts = phone.taken();
    let mut ids: Vec<&str> = texts.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), texts.len(), "no text went twice: {texts:?}");
    // And the desk sees it: the booking's panel says Confirmed.
    // The week's list shows a booking at any hour (the day grid shows 07:00 to 21:00 only);
    // a booking in 6 hours may fall in next week's list.
    app.click("nav-calendar").await;
    app.click("cal-view-list").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while !app.has("cal-event-1").await && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if !app.has("cal-event-1").await {
        app.click("cal-next").await;
    }
    app.click("cal-event-1").await;
    app.wait_text("appointment-panel", "Confirmed").await;
    app.screenshot("smsgate-yes-confirmed").await;
    app.quit().await;
}
