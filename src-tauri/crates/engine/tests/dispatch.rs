//! The dispatcher against a local server speaking Twilio's wire format: retries with backoff,
//! permanent failures, paused sending on rejected credentials, reconciliation of claimed
//! messages after a crash, and delivery reports. Secrets go through a mock keyring.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, ClientInput, ConsentAction, ConsentChannel, ConsentInput, ConsentState,
    Purpose, SettingsUpdate, SetupInput, TwilioInput, WriteSource,
};
use tidings_engine::{
    Engine, EngineConfig, ErrorCode, FixedClock, MessageStatus, OutboxMessage, Preset, MAX_ATTEMPTS,
};
use tidings_sms::Keyring;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const AC: &str = "AC0123456789abcdef0123456789abcdef";
const SK: &str = "SK0123456789abcdef0123456789abcdef";

fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, min, 0).unwrap()
}

fn messages_path() -> String {
    format!("/2010-04-01/Accounts/{AC}/Messages.json")
}

fn twilio_message(sid: &str, to: &str, body: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "sid": sid, "account_sid": AC, "to": to, "from": "+14155550100", "body": body,
        "status": status, "direction": "outbound-api", "num_segments": "1",
        "date_created": "Tue, 02 Mar 2027 18:00:00 +0000", "date_sent": null,
        "error_code": null, "error_message": null,
    })
}

fn error(status: u16, code: i64) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "code": code, "message": format!("error {code}"),
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status,
    }))
}

struct Desk {
    _dir: tempfile::TempDir,
    engine: Engine,
    clock: Arc<FixedClock>,
    server: MockServer,
    db: std::path::PathBuf,
    keyring: Keyring,
}

/// Opens an engine on the database at `db` with this clock and keyring.
fn open(db: &std::path::Path, clock: &Arc<FixedClock>, keyring: &Keyring) -> Engine {
    Engine::open(EngineConfig {
        db_path: db.to_owned(),
        clock: clock.clone(),
        keyring: keyring.clone(),
        wrap_provider: None,
        feed_timeout: std::time::Duration::from_secs(20),
    })
    .unwrap()
}

/// How long the desk gives Twilio's list to show a text before "not there" counts.
fn records_lag(engine: &Engine, seconds: u32) {
    engine
        .update_settings(
            &SettingsUpdate {
                provider_records_lag_seconds: Some(seconds),
                ..SettingsUpdate::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
}

async fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(utc(3, 1, 15, 0)));
    let store: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let keyring = Keyring::with_store(store);
    let db = dir.path().join("t.sqlite3");
    let engine = open(&db, &clock, &keyring);
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    // The stand-in's list shows a text as soon as it takes it: no wait for its records.
    records_lag(&engine, 0);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/2010-04-01/Accounts/{AC}.json")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"sid": AC, "friendly_name": "Quay Clinic", "status": "active"}),
        ))
        .mount(&server)
        .await;
    let desk = Desk {
        _dir: dir,
        engine,
        clock,
        server,
        db,
        keyring,
    };
    desk.engine
        .connect_twilio(&desk.input("secret-1"), WriteSource::Ui, "desk")
        .await
        .unwrap();
    desk
}

impl Desk {
    fn input(&self, secret: &str) -> TwilioInput {
        TwilioInput {
            account_sid: AC.into(),
            api_key_sid: Some(SK.into()),
            from_number: Some("+14155550100".into()),
            messaging_service_sid: None,
            base_url: Some(self.server.uri()),
            secret: secret.into(),
        }
    }

    /// A consenting client with an appointment whose 24-hour reminder is due at 3/2 18:00 UTC.
    fn booked(&self, phone: &str) -> (i64, i64) {
        let client = self
            .engine
            .create_client(
                &ClientInput {
                    name: format!("Client {phone}"),
                    phone: phone.into(),
                    ..ClientInput::default()
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
        self.engine
            .record_consent(
                &ConsentInput {
                    client_id: client.id,
                    purpose: Purpose::Service,
                    action: ConsentAction::Granted,
                    channel: ConsentChannel::FrontDeskVerbal,
                    recorded_by: "Sam".into(),
                    occurred_at: None,
                    evidence: None,
                },
                WriteSource::Ui,
            )
            .unwrap();
        let appointment = self
            .engine
            .create_appointment(
                &AppointmentInput {
                    client_id: client.id,
                    starts_at: utc(3, 3, 18, 0),
                    ends_at: utc(3, 3, 19, 0),
                    service_id: None,
                    staff_id: None,
                    location: None,
                    notes: None,
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
        (client.id, appointment.id)
    }

    fn messages(&self, appointment_id: i64) -> Vec<OutboxMessage> {
        self.engine.outbox(Some(appointment_id)).unwrap()
    }

    fn only(&self, appointment_id: i64) -> OutboxMessage {
        let all = self.messages(appointment_id);
        assert_eq!(all.len(), 1, "{all:#?}");
        all.into_iter().next().unwrap()
    }

    async fn tick_at(&self, at: DateTime<Utc>) -> tidings_engine::TickReport {
        self.clock.set(at);
        self.engine.tick().await.unwrap()
    }

    async fn creates(&self) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path() == messages_path())
            .count()
    }
}

async fn empty_lists(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"messages": [], "next_page_uri": null})),
        )
        .mount(server)
        .await;
}

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

/// A Twilio stand-in that accepts scheduled texts (unique ids), cancels them, and reports
/// them delivered once fetched.
async fn scheduling_twilio(server: &MockServer) {
    scheduling_twilio_answering_after(server, std::time::Duration::ZERO).await;
}

/// Twilio that schedules texts, and answers a create only after `delay`.
async fn scheduling_twilio_answering_after(server: &MockServer, delay: std::time::Duration) {
    empty_lists(server).await;
    let counter = std::sync::atomic::AtomicU32::new(1);
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(move |request: &wiremock::Request| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = String::from_utf8_lossy(&request.body).into_owned();
            let status = if body.contains("ScheduleType=fixed") {
                "scheduled"
            } else {
                "queued"
            };
            ResponseTemplate::new(201)
                .set_body_json(twilio_message(
                    &format!("SM{n:032}"),
                    "+14155552671",
                    "x",
                    status,
                ))
                .set_delay(delay)
        })
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"/Messages/SM[0-9]{32}\.json$"))
        .and(body_string_contains("Status=canceled"))
        .respond_with(ResponseTemplate::new(200).set_body_json(twilio_message(
            "SM00000000000000000000000000000001",
            "+14155552671",
            "x",
            "canceled",
        )))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"/Messages/SM[0-9]{32}\.json$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(twilio_message(
            "SM00000000000000000000000000000001",
            "+14155552671",
            "x",
            "delivered",
        )))
        .mount(server)
        .await;
}

async fn with_messaging_service(d: &Desk) {
    let mut input = d.input("");
    input.from_number = None;
    input.messaging_service_sid = Some("MG0123456789abcdef0123456789abcdef".into());
    d.engine
        .connect_twilio(&input, WriteSource::Ui, "desk")
        .await
        .unwrap();
    assert!(d.engine.provider_view().unwrap().hands_off);
}

async fn requests(d: &Desk, f: impl Fn(&wiremock::Request) -> bool) -> Vec<String> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| f(r))
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect()
}

#[tokio::test]
async fn with_a_messaging_service_reminders_are_handed_to_twilio_ahead_and_cancelled_there_on_change(
) {
    let d = desk().await;
    scheduling_twilio(&d.server).await;
    with_messaging_service(&d).await;
    let (_, appointment) = d.booked("(415) 555-2671");

    // A day and more ahead: handed over with its send time.
    d.tick_at(utc(3, 1, 15, 0)).await;
    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::ScheduledAtProvider, "{m:#?}");
    let creates = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path() == messages_path()
    })
    .await;
    assert_eq!(creates.len(), 1);
    assert!(creates[0].contains("ScheduleType=fixed"), "{}", creates[0]);
    assert!(
        creates[0].contains("SendAt=2027-03-02T18%3A00%3A00Z"),
        "{}",
        creates[0]
    );
    assert!(
        creates[0].contains("MessagingServiceSid=MG"),
        "{}",
        creates[0]
    );

    // Moved a day later: the handed-off text is cancelled at Twilio, the new one handed over.
    d.engine
        .update_appointment(
            appointment,
            &AppointmentInput {
                client_id: d.engine.outbox(Some(appointment)).unwrap()[0]
                    .client_id
                    .unwrap(),
                starts_at: utc(3, 4, 18, 0),
                ends_at: utc(3, 4, 19, 0),
                service_id: None,
                staff_id: None,
                location: None,
                notes: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    d.tick_at(utc(3, 1, 15, 5)).await;
    let cancels = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path().contains("/Messages/SM")
    })
    .await;
    assert_eq!(cancels, vec!["Status=canceled".to_owned()]);
    let all = d.messages(appointment);
    assert!(
        all.iter().any(|m| m.status == MessageStatus::Cancelled),
        "{all:#?}"
    );
    let live: Vec<_> = all
        .iter()
        .filter(|m| m.status == MessageStatus::ScheduledAtProvider)
        .collect();
    assert_eq!(live.len(), 1, "{all:#?}");
    assert_eq!(live[0].send_at, Some(utc(3, 3, 18, 0)));

    // Once its time has passed, its delivery is asked for like any sent text.
    d.tick_at(utc(3, 3, 18, 5)).await;
    let all = d.messages(appointment);
    assert!(
        all.iter().any(|m| m.status == MessageStatus::Delivered),
        "{all:#?}"
    );
}

/// The appointment is cancelled while its reminder is on its way to Twilio to be held there:
/// once Twilio has it, the gate runs again and the reminder is taken back at Twilio.
#[tokio::test]
async fn a_reminder_handed_off_while_its_appointment_is_cancelled_is_taken_back() {
    let d = desk().await;
    scheduling_twilio_answering_after(&d.server, std::time::Duration::from_millis(600)).await;
    with_messaging_service(&d).await;
    let (_, appointment) = d.booked("(415) 555-2671");

    let cancel_meanwhile = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(d.creates().await, 1, "Twilio has it");
        assert_eq!(
            d.only(appointment).status,
            MessageStatus::Sending,
            "and has not answered yet"
        );
        d.engine
            .set_appointment_status(
                appointment,
                tidings_engine::domain::AppointmentStatus::Cancelled,
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
    };
    tokio::join!(d.tick_at(utc(3, 1, 15, 0)), cancel_meanwhile);
    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::Cancelled, "{m:#?}");

    d.tick_at(utc(3, 1, 15, 5)).await;
    let cancels = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path().contains("/Messages/SM")
    })
    .await;
    assert_eq!(cancels, vec!["Status=canceled".to_owned()]);
}

#[tokio::test]
async fn an_opt_out_takes_back_texts_waiting_at_twilio() {
    let d = desk().await;
    scheduling_twilio(&d.server).await;
    with_messaging_service(&d).await;
    let (client, appointment) = d.booked("(415) 555-2671");
    d.tick_at(utc(3, 1, 15, 0)).await;
    assert_eq!(
        d.only(appointment).status,
        MessageStatus::ScheduledAtProvider
    );

    d.engine
        .record_consent(
            &ConsentInput {
                client_id: client,
                purpose: Purpose::Service,
                action: ConsentAction::Revoked,
                channel: ConsentChannel::FrontDeskVerbal,
                recorded_by: "Sam".into(),
                occurred_at: None,
                evidence: Some("Asked us to stop texting".into()),
            },
            WriteSource::Ui,
        )
        .unwrap();
    d.tick_at(utc(3, 1, 15, 1)).await;
    let cancels = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path().contains("/Messages/SM")
    })
    .await;
    assert_eq!(cancels.len(), 1, "cancelled at Twilio");
    let all = d.messages(appointment);
    assert!(
        all.iter()
            .all(|m| m.status != MessageStatus::ScheduledAtProvider),
        "{all:#?}"
    );
    assert!(
        all.iter().any(|m| m.status == MessageStatus::Suppressed
            && m.reason == Some(tidings_engine::domain::SuppressReason::OptedOut)),
        "{all:#?}"
    );
    // No new text was handed over.
    let creates = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path() == messages_path()
    })
    .await;
    assert_eq!(creates.len(), 1);
}

fn inbound_json(sid: &str, from: &str, body: &str, sent: &str) -> serde_json::Value {
    serde_json::json!({
        "sid": sid, "account_sid": AC, "to": "+14155550100", "from": from, "body": body,
        "status": "received", "direction": "inbound", "num_segments": "1",
        "date_created": sent, "date_sent": sent, "error_code": null, "error_message": null,
    })
}

async fn inbound_page(server: &MockServer, texts: Vec<serde_json::Value>) -> wiremock::MockGuard {
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(wiremock::matchers::query_param("To", "+14155550100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "messages": texts, "next_page_uri": null,
        })))
        .mount_as_scoped(server)
        .await
}

#[tokio::test]
async fn twilio_replies_are_read_once_across_overlapping_polls_and_a_restart_mid_poll() {
    let d = desk().await;
    let (client, _) = d.booked("(415) 555-2671");
    let t1 = inbound_json(
        "SM000000000000000000000000000000a1",
        "+14155552671",
        "Can I bring my daughter?",
        "Mon, 01 Mar 2027 15:01:00 +0000",
    );
    let t2 = inbound_json(
        "SM000000000000000000000000000000a2",
        "+14155552671",
        "Also, is there parking?",
        "Mon, 01 Mar 2027 15:02:00 +0000",
    );
    let t3 = inbound_json(
        "SM000000000000000000000000000000a3",
        "+14155559999",
        "Who is this?",
        "Mon, 01 Mar 2027 15:03:00 +0000",
    );
    // The first process read only the first text before it stopped.
    {
        let _page = inbound_page(&d.server, vec![t1.clone()]).await;
        d.tick_at(utc(3, 1, 15, 5)).await;
    }
    drop(d.engine);
    // A new process: Twilio's answer overlaps what was already read (the poll asks from a
    // day before its cursor), newest first as Twilio lists them.
    let engine = open(&d.db, &d.clock, &d.keyring);
    for minute in [6, 7] {
        let _page = inbound_page(&d.server, vec![t3.clone(), t2.clone(), t1.clone()]).await;
        d.clock.set(utc(3, 1, 15, minute));
        engine.tick().await.unwrap();
    }
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    let stored: Vec<(String, i64)> = conn
        .prepare(
            "SELECT provider_id, count(*) FROM messages WHERE direction = 'inbound'
             GROUP BY provider_id ORDER BY provider_id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        stored,
        vec![
            ("SM000000000000000000000000000000a1".to_owned(), 1),
            ("SM000000000000000000000000000000a2".to_owned(), 1),
            ("SM000000000000000000000000000000a3".to_owned(), 1),
        ]
    );
    let threads = engine
        .inbox(tidings_engine::InboxFilter::Open)
        .unwrap()
        .threads;
    assert_eq!(threads.len(), 2, "{threads:#?}");
    let ann = threads
        .iter()
        .find(|t| t.client_id == Some(client))
        .unwrap();
    assert_eq!(ann.unread, 2, "each text counted once");
    assert!(
        threads.iter().any(|t| t.client_id.is_none()),
        "the unknown number"
    );
}
