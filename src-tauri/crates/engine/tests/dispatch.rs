//! The dispatcher against a local server speaking Twilio's wire format: retries with backoff,
//! permanent failures, paused sending on rejected credentials, reconciliation of claimed
//! messages after a crash, and delivery reports. Secrets go through a mock keyring. Texts
//! handed to Twilio ahead are in `twilio_scheduled.rs`, replies read from Twilio in
//! `twilio_replies.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod twilio_desk;

use std::sync::Arc;

use chrono::Duration;
use tidings_engine::domain::{
    AppointmentInput, ConsentChannel, ConsentState, TwilioInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, ErrorCode, FixedClock, MessageStatus, MAX_ATTEMPTS};
use tidings_sms::Keyring;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use twilio_desk::{
    desk, empty_lists, error, messages_path, open, records_lag, twilio_message, utc, AC,
};

#[tokio::test]
async fn a_reminder_goes_to_twilio_and_its_delivery_report_is_recorded() {
    let d = desk().await;
    empty_lists(&d.server).await;
    let (_, appointment) = d.booked("(415) 555-2671");
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_string_contains("To=%2B14155552671"))
        .and(body_string_contains("From=%2B14155550100"))
        .respond_with(ResponseTemplate::new(201).set_body_json(twilio_message(
            "SM00000000000000000000000000000001",
            "+14155552671",
            "x",
            "queued",
        )))
        .expect(1)
        .mount(&d.server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"/Messages/SM0+1\.json$"))
        .respond_with(ResponseTemplate::new(200).set_body_json({
            let mut m = twilio_message(
                "SM00000000000000000000000000000001",
                "+14155552671",
                "x",
                "undelivered",
            );
            m["error_code"] = serde_json::json!(30007);
            m
        }))
        .mount(&d.server)
        .await;

    let report = d.tick_at(utc(3, 2, 18, 0)).await;
    assert_eq!(report.sent.len(), 1);
    // The first pass already asked for the report: filtered by the carrier.
    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::Undelivered, "{m:#?}");
    assert!(
        m.reason_text.as_deref().unwrap().contains("spam"),
        "{:?}",
        m.reason_text
    );
    // A later pass neither resends nor asks again.
    d.tick_at(utc(3, 2, 18, 5)).await;
    assert_eq!(d.creates().await, 1);
}

#[tokio::test]
async fn a_transient_failure_retries_with_backoff_then_gives_up() {
    let d = desk().await;
    empty_lists(&d.server).await;
    let (_, appointment) = d.booked("(415) 555-2671");
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>busy</html>"))
        .mount(&d.server)
        .await;

    let mut at = utc(3, 2, 18, 0);
    d.tick_at(at).await;
    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::RetryWait);
    let wait = m.send_at.unwrap() - at;
    assert!(
        wait >= Duration::seconds(15) && wait <= Duration::seconds(45),
        "first retry after {wait}"
    );
    for _ in 1..MAX_ATTEMPTS {
        at = d.only(appointment).send_at.unwrap();
        d.tick_at(at).await;
    }
    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::Failed, "{m:#?}");
    assert!(m.reason_text.unwrap().contains("gave up after 5 attempts"));
    assert_eq!(d.creates().await, MAX_ATTEMPTS as usize);
}

#[tokio::test]
async fn retry_after_from_twilio_is_honoured() {
    let d = desk().await;
    empty_lists(&d.server).await;
    let (_, appointment) = d.booked("(415) 555-2671");
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(error(429, 20429).insert_header("Retry-After", "120"))
        .mount(&d.server)
        .await;
    let at = utc(3, 2, 18, 0);
    d.tick_at(at).await;
    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::RetryWait);
    assert_eq!(m.send_at.unwrap(), at + Duration::seconds(120));
}

#[tokio::test]
async fn a_carrier_opt_out_revokes_consent_and_cancels_what_is_planned() {
    let d = desk().await;
    empty_lists(&d.server).await;
    let (client, appointment) = d.booked("(415) 555-2671");
    // A second, later appointment whose reminder is still planned.
    let later = d
        .engine
        .create_appointment(
            &AppointmentInput {
                client_id: client,
                starts_at: utc(3, 10, 18, 0),
                ends_at: utc(3, 10, 19, 0),
                service_id: None,
                staff_id: None,
                location: None,
                notes: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(error(400, 21610))
        .expect(1)
        .mount(&d.server)
        .await;
    d.tick_at(utc(3, 2, 18, 0)).await;

    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::Failed);
    let detail = d.engine.client_detail(client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    let last = detail.ledger.last().unwrap();
    assert_eq!(last.channel, ConsentChannel::ProviderReport);
    let planned = d.messages(later.id);
    assert!(
        planned.iter().all(|m| m.status != MessageStatus::Planned),
        "{planned:#?}"
    );
    // Nothing more goes to them.
    d.tick_at(utc(3, 9, 18, 0)).await;
    assert_eq!(d.creates().await, 1);
}

#[tokio::test]
async fn a_number_that_cannot_receive_is_marked_on_the_client() {
    let d = desk().await;
    empty_lists(&d.server).await;
    let (client, appointment) = d.booked("(415) 555-2671");
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(error(400, 21614))
        .mount(&d.server)
        .await;
    d.tick_at(utc(3, 2, 18, 0)).await;
    assert_eq!(d.only(appointment).status, MessageStatus::Failed);
    let detail = d.engine.client_detail(client).unwrap();
    assert!(detail.client.unreachable.unwrap().contains("21614"));
}

#[tokio::test]
async fn rejected_credentials_pause_sending_without_burning_attempts() {
    let d = desk().await;
    empty_lists(&d.server).await;
    let (_, appointment) = d.booked("(415) 555-2671");
    let (_, second) = d.booked("(415) 555-2672");
    let rejected = Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(error(401, 20003))
        .expect(1)
        .mount_as_scoped(&d.server)
        .await;
    d.tick_at(utc(3, 2, 18, 0)).await;
    let paused = d.engine.provider_view().unwrap().paused;
    assert!(paused.unwrap().contains("rejected"));
    assert_eq!(d.only(appointment).status, MessageStatus::Planned);
    assert_eq!(d.only(second).status, MessageStatus::Planned);
    // While paused nothing is tried at all.
    d.tick_at(utc(3, 2, 18, 1)).await;
    drop(rejected);

    let counter = std::sync::atomic::AtomicU32::new(100);
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(move |_: &wiremock::Request| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            ResponseTemplate::new(201).set_body_json(twilio_message(
                &format!("SM{n:032}"),
                "+14155552671",
                "x",
                "queued",
            ))
        })
        .mount(&d.server)
        .await;
    // New credentials (same account) resume sending.
    d.engine
        .connect_twilio(&d.input("secret-2"), WriteSource::Ui, "desk")
        .await
        .unwrap();
    assert_eq!(d.engine.provider_view().unwrap().paused, None);
    let report = d.tick_at(utc(3, 2, 18, 2)).await;
    assert_eq!(report.sent.len(), 2);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(error(401, 20003))
        .mount(&server)
        .await;
    let store: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        clock: Arc::new(FixedClock::new(utc(3, 1, 15, 0))),
        keyring: Keyring::with_store(store),
        wrap_provider: None,
        feed_timeout: std::time::Duration::from_secs(20),
    })
    .unwrap();
    let input = TwilioInput {
        account_sid: AC.into(),
        api_key_sid: None,
        from_number: Some("+14155550100".into()),
        messaging_service_sid: None,
        base_url: Some(server.uri()),
        secret: "wrong".into(),
    };
    let err = engine
        .connect_twilio(&input, WriteSource::Ui, "desk")
        .await
        .unwrap_err()
        .payload();
    assert_eq!(err.code, ErrorCode::CredentialsRejected);
    let view = engine.provider_view().unwrap();
    assert_eq!(view.kind, tidings_engine::domain::ProviderKind::Sandbox);
    assert!(view.twilio.is_none());
    assert!(!view.secret_stored);
}

#[tokio::test]
async fn a_message_claimed_before_a_crash_is_reconciled_not_resent() {
    let d = desk().await;
    let (_, sent_before) = d.booked("(415) 555-2671");
    let (_, never_sent) = d.booked("(415) 555-2672");
    // A crash: both claimed with their text recorded, then the process died. Only the first
    // reached Twilio.
    let body = "Hi Client (415) 555-2671, a reminder from Quay Clinic";
    {
        let conn = rusqlite::Connection::open(&d.db).unwrap();
        conn.execute(
            "UPDATE messages SET status = 'sending', claimed_at = '2027-03-02T18:00:00Z',
               body = 'Hi ' || (SELECT name FROM clients WHERE id = messages.client_id) || ', a reminder from Quay Clinic'",
            [],
        )
        .unwrap();
    }
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(wiremock::matchers::query_param("To", "+14155552671"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "messages": [twilio_message("SM00000000000000000000000000000009", "+14155552671", body, "delivered")],
            "next_page_uri": null,
        })))
        .mount(&d.server)
        .await;
    empty_lists(&d.server).await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_string_contains("To=%2B14155552672"))
        .respond_with(ResponseTemplate::new(201).set_body_json(twilio_message(
            "SM00000000000000000000000000000010",
            "+14155552672",
            "x",
            "queued",
        )))
        .expect(1)
        .mount(&d.server)
        .await;

    // A new process over the same file.
    drop(d.engine);
    let engine = open(&d.db, &d.clock, &d.keyring);
    d.clock.set(utc(3, 2, 18, 3));
    let report = engine.tick().await.unwrap();
    let first = engine.outbox(Some(sent_before)).unwrap();
    assert_eq!(first[0].status, MessageStatus::Delivered, "{first:#?}");
    let second = engine.outbox(Some(never_sent)).unwrap();
    assert_eq!(second[0].status, MessageStatus::Sent, "{second:#?}");
    assert_eq!(report.sent.len(), 1);
    let posts = d
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == messages_path())
        .count();
    assert_eq!(
        posts, 1,
        "only the message that never reached Twilio is sent"
    );
}

#[tokio::test]
async fn a_send_without_a_clear_answer_is_checked_with_twilio_before_anything_is_resent() {
    let d = desk().await;
    let (_, took) = d.booked("(415) 555-2671");
    let (_, lost) = d.booked("(415) 555-2672");
    // Both creates get an error from Twilio's side (HTTP 500): whether it took them is unknown.
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(error(500, 20500))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(201).set_body_json(twilio_message(
            "SM00000000000000000000000000000020",
            "+14155552672",
            "x",
            "queued",
        )))
        .mount(&d.server)
        .await;
    empty_lists(&d.server).await;
    let at = utc(3, 2, 18, 0);
    d.tick_at(at).await;
    for appointment in [took, lost] {
        let m = d.only(appointment);
        assert_eq!(
            m.status,
            MessageStatus::Sending,
            "held, not retried: {m:#?}"
        );
        assert!(
            m.reason_text
                .as_deref()
                .unwrap_or("")
                .contains("checking with the provider"),
            "{m:#?}"
        );
    }
    assert_eq!(d.creates().await, 2);

    // Twilio's list shows it took the first; the second is not there. While the list may
    // still be catching up (the desk's wait for its records), nothing is resent.
    let body = d.only(took).body;
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(wiremock::matchers::query_param("To", "+14155552671"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "messages": [twilio_message("SM00000000000000000000000000000019", "+14155552671", &body, "delivered")],
            "next_page_uri": null,
        })))
        .with_priority(1)
        .mount(&d.server)
        .await;
    records_lag(&d.engine, 600);
    d.tick_at(at + Duration::minutes(1)).await;
    let first = d.only(took);
    assert_eq!(
        first.status,
        MessageStatus::Delivered,
        "found at Twilio: {first:#?}"
    );
    assert_eq!(
        d.only(lost).status,
        MessageStatus::Sending,
        "still waiting for the list"
    );
    assert_eq!(
        d.creates().await,
        2,
        "nothing resent while the list may lag"
    );

    // Once the list has had its time, "not there" counts: the second goes again after a
    // backoff, and only the second.
    records_lag(&d.engine, 0);
    d.tick_at(at + Duration::minutes(2)).await;
    let second = d.only(lost);
    assert_eq!(second.status, MessageStatus::RetryWait, "{second:#?}");
    d.tick_at(second.send_at.unwrap()).await;
    assert_eq!(d.only(lost).status, MessageStatus::Sent);
    assert_eq!(
        d.creates().await,
        3,
        "one resend, of the text Twilio did not have"
    );
}
