//! The desk's Android phone as the gateway (SMSGate), through the engine: connecting it keeps
//! the password in the keyring, a due reminder goes to the phone with the text's own id, a
//! resend of that id is recognised, the customer's YES read from the phone's inbox confirms the
//! appointment, and a wrong password or a phone that is off saves nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    ProviderKind, Purpose, SetupInput, SmsGateInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, ErrorCode, FixedClock, MessageStatus, Preset};
use tidings_sms::Keyring;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, min, 0).unwrap()
}

/// What the phone holds: texts it took (by our id) and texts it received.
#[derive(Default)]
struct Phone {
    sent: Vec<Value>,
    inbox: Vec<Value>,
}

struct Take(Arc<Mutex<Phone>>);
impl Respond for Take {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let mut phone = self.0.lock().unwrap();
        if phone.sent.iter().any(|m| m["id"] == body["id"]) {
            return ResponseTemplate::new(409)
                .set_body_json(json!({"message": "Message with such ID already exists"}));
        }
        phone.sent.push(body.clone());
        ResponseTemplate::new(202).set_body_json(json!({
            "id": body["id"], "deviceId": "dev1", "state": "Pending",
            "recipients": [{"phoneNumber": body["phoneNumbers"][0], "state": "Pending"}]
        }))
    }
}

struct Lookup(Arc<Mutex<Phone>>);
impl Respond for Lookup {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().trim_start_matches("/messages/");
        let phone = self.0.lock().unwrap();
        match phone.sent.iter().find(|m| m["id"] == id) {
            // This number's phone has no signal: the text ends Failed with the phone's error.
            Some(m) if m["phoneNumbers"][0] == "+14155550000" => ResponseTemplate::new(200)
                .set_body_json(json!({
                    "id": id, "deviceId": "dev1", "state": "Failed",
                    "recipients": [{"phoneNumber": "+14155550000", "state": "Failed",
                        "error": "RESULT_ERROR_NO_SERVICE"}]
                })),
            Some(m) => ResponseTemplate::new(200).set_body_json(json!({
                "id": id, "deviceId": "dev1", "state": "Delivered",
                "recipients": [{"phoneNumber": m["phoneNumbers"][0], "state": "Delivered"}]
            })),
            None => ResponseTemplate::new(404),
        }
    }
}

struct Inbox(Arc<Mutex<Phone>>);
impl Respond for Inbox {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(self.0.lock().unwrap().inbox.clone())
    }
}

async fn phone() -> (MockServer, Arc<Mutex<Phone>>) {
    let server = MockServer::start().await;
    let state: Arc<Mutex<Phone>> = Arc::default();
    // "sms:gateway-pass"
    let auth = || header("authorization", "Basic c21zOmdhdGV3YXktcGFzcw==");
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"status": "pass", "version": "1.40.0", "checks": {}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .and(auth())
        .respond_with(Take(state.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/messages/[^/]+$"))
        .and(auth())
        .respond_with(Lookup(state.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/inbox"))
        .and(auth())
        .respond_with(Inbox(state.clone()))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthorized"})))
        .mount(&server)
        .await;
    (server, state)
}

fn desk(dir: &tempfile::TempDir, clock: &Arc<FixedClock>) -> Engine {
    let store: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("tidings.sqlite3"),
        clock: clock.clone(),
        keyring: Keyring::with_store(store),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
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
    engine
}

fn input(server: &MockServer, password: &str) -> SmsGateInput {
    SmsGateInput {
        base_url: server.uri(),
        username: "sms".into(),
        password: password.into(),
        seconds_between_texts: Some(1),
    }
}

#[tokio::test]
async fn a_reminder_goes_from_the_desks_phone_and_a_yes_read_from_it_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(utc(3, 1, 15, 0)));
    let engine = desk(&dir, &clock);
    let (server, state) = phone().await;

    // A wrong password, or a phone that is off: refused with why, nothing saved.
    let wrong = engine
        .connect_smsgate(&input(&server, "nope"), WriteSource::Ui, "desk")
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::CredentialsRejected);
    let off = engine
        .connect_smsgate(
            &SmsGateInput {
                base_url: "http://127.0.0.1:9".into(),
                ..input(&server, "gateway-pass")
            },
            WriteSource::Ui,
            "desk",
        )
        .await
        .unwrap_err();
    assert!(off.to_string().contains("same Wi-Fi"), "{off}");
    let public = engine
        .connect_smsgate(
            &SmsGateInput {
                base_url: "http://203.0.113.7:8080".into(),
                ..input(&server, "gateway-pass")
            },
            WriteSource::Ui,
            "desk",
        )
        .await
        .unwrap_err();
    assert_eq!(public.payload().field.as_deref(), Some("base_url"));
    assert_eq!(engine.provider_view().unwrap().kind, ProviderKind::Sandbox);

    let status = engine
        .test_smsgate(&input(&server, "gateway-pass"))
        .await
        .unwrap();
    assert_eq!(status.version.as_deref(), Some("1.40.0"));
    let view = engine
        .connect_smsgate(&input(&server, "gateway-pass"), WriteSource::Ui, "desk")
        .await
        .unwrap();
    assert_eq!(view.kind, ProviderKind::SmsGate);
    assert!(view.smsgate_password_stored);
    assert_eq!(view.smsgate.as_ref().unwrap().seconds_between_texts, 1);
    let settings_json: String = rusqlite::Connection::open(dir.path().join("tidings.sqlite3"))
        .unwrap()
        .query_row("SELECT group_concat(value) FROM settings", [], |r| r.get(0))
        .unwrap();
    assert!(
        !settings_json.contains("gateway-pass"),
        "the password is not in the database"
    );
    // Reconnecting with the password left empty keeps the stored one.
    engine
        .connect_smsgate(&input(&server, ""), WriteSource::Ui, "desk")
        .await
        .unwrap();

    // A consenting client booked for 3 March 18:00 UTC: the Light preset's reminder is due a day
    // before.
    let client = engine
        .create_client(
            &ClientInput {
                name: "Ann Lee".into(),
                phone: "(415) 555-2671".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
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
    let appointment = engine
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
    clock.set(utc(3, 2, 18, 1));
    let report = engine.tick().await.unwrap();
    assert_eq!(report.sent.len(), 1, "{report:?}");
    let sent = state.lock().unwrap().sent.clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["phoneNumbers"][0], "+14155552671");
    assert!(sent[0]["textMessage"]["text"]
        .as_str()
        .unwrap()
        .contains("Quay Clinic"));
    let id = sent[0]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("td") && id.len() <= 36, "{id}");
    let reminder = engine.outbox(Some(appointment.id)).unwrap().remove(0);
    assert!(
        id.ends_with(&format!("-{}", reminder.id)),
        "{id} is the text's own id"
    );
    // Delivery comes from asking the phone about that id.
    clock.set(utc(3, 2, 18, 2));
    engine.tick().await.unwrap();
    assert_eq!(
        engine.outbox(Some(appointment.id)).unwrap()[0].status,
        MessageStatus::Delivered
    );

    // The customer answers YES on the phone: read from its inbox, the appointment is confirmed.
    state.lock().unwrap().inbox.push(json!({
        "id": "in-1", "type": "SMS", "sender": "+14155552671", "recipient": "+14155550100",
        "contentPreview": "Yes", "createdAt": "2027-03-02T18:05:00.000Z"
    }));
    clock.set(utc(3, 2, 18, 6));
    engine.tick().await.unwrap();
    assert_eq!(
        engine.appointment(appointment.id).unwrap().status,
        AppointmentStatus::Confirmed
    );
    // Read again: the same reply is not handled twice.
    clock.set(utc(3, 2, 18, 7));
    let again = engine.tick().await.unwrap();
    assert!(again.received.is_empty(), "{again:?}");
    assert_eq!(engine.provider_view().unwrap().silent_since, None);

    // A text that ends Failed says why in words.
    let test = engine
        .send_test_text("(415) 555-0000", WriteSource::Ui, "desk")
        .await
        .unwrap();
    clock.set(utc(3, 2, 18, 8));
    engine.tick().await.unwrap();
    let failed = engine.outbox_message(test.id).unwrap();
    assert_eq!(failed.status, MessageStatus::Failed);
    assert_eq!(
        failed.reason_text.as_deref(),
        Some("the gateway phone had no mobile signal")
    );

    // The phone goes silent (off the Wi-Fi): the desk is told since when, once it answers no
    // more; when it answers again the warning goes.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/inbox"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(
                json!({"message": "Queue limits exceeded; ensure device is online"}),
            ),
        )
        .mount(&server)
        .await;
    clock.set(utc(3, 2, 18, 10));
    engine.tick().await.unwrap();
    clock.set(utc(3, 2, 18, 20));
    engine.tick().await.unwrap();
    assert_eq!(
        engine.provider_view().unwrap().silent_since,
        Some(utc(3, 2, 18, 10)),
        "since the first poll it did not answer"
    );
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/inbox"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    clock.set(utc(3, 2, 18, 30));
    engine.tick().await.unwrap();
    assert_eq!(engine.provider_view().unwrap().silent_since, None);
}
