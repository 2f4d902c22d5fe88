//! A desk on Twilio for the dispatcher tests: a local server speaking Twilio's wire format,
//! Quay Clinic in New York on the Light preset connected to it, secrets in a mock keyring, and
//! Twilio's Message resources and errors.

// Each test file uses its own share of these.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, ClientInput, ConsentAction, ConsentChannel, ConsentInput, Purpose,
    SettingsUpdate, SetupInput, TwilioInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, OutboxMessage, Preset};
use tidings_sms::Keyring;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const AC: &str = "AC0123456789abcdef0123456789abcdef";
pub const SK: &str = "SK0123456789abcdef0123456789abcdef";

pub fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, min, 0).unwrap()
}

pub fn messages_path() -> String {
    format!("/2010-04-01/Accounts/{AC}/Messages.json")
}

pub fn twilio_message(sid: &str, to: &str, body: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "sid": sid, "account_sid": AC, "to": to, "from": "+14155550100", "body": body,
        "status": status, "direction": "outbound-api", "num_segments": "1",
        "date_created": "Tue, 02 Mar 2027 18:00:00 +0000", "date_sent": null,
        "error_code": null, "error_message": null,
    })
}

pub fn error(status: u16, code: i64) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "code": code, "message": format!("error {code}"),
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status,
    }))
}

pub struct Desk {
    pub _dir: tempfile::TempDir,
    pub engine: Engine,
    pub clock: Arc<FixedClock>,
    pub server: MockServer,
    pub db: std::path::PathBuf,
    pub keyring: Keyring,
}

/// Opens an engine on the database at `db` with this clock and keyring.
pub fn open(db: &std::path::Path, clock: &Arc<FixedClock>, keyring: &Keyring) -> Engine {
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
pub fn records_lag(engine: &Engine, seconds: u32) {
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

pub async fn desk() -> Desk {
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
    pub fn input(&self, secret: &str) -> TwilioInput {
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
    pub fn booked(&self, phone: &str) -> (i64, i64) {
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

    pub fn messages(&self, appointment_id: i64) -> Vec<OutboxMessage> {
        self.engine.outbox(Some(appointment_id)).unwrap()
    }

    pub fn only(&self, appointment_id: i64) -> OutboxMessage {
        let all = self.messages(appointment_id);
        assert_eq!(all.len(), 1, "{all:#?}");
        all.into_iter().next().unwrap()
    }

    pub async fn tick_at(&self, at: DateTime<Utc>) -> tidings_engine::TickReport {
        self.clock.set(at);
        self.engine.tick().await.unwrap()
    }

    pub async fn creates(&self) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path() == messages_path())
            .count()
    }
}

pub async fn empty_lists(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"messages": [], "next_page_uri": null})),
        )
        .mount(server)
        .await;
}
