//! A desk on the Sandbox carrier for the reply tests: Quay in London on the Light preset, with
//! Ann Lee, who consented to appointment texts; books for her, texts as her, reads what she got.

// Each test file uses its own share of these.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, ClientInput, ConsentAction, ConsentChannel, ConsentInput, Purpose,
    SetupInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, Preset};

pub fn utc(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, 0, 0).unwrap()
}

pub fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

pub struct Desk {
    pub _dir: tempfile::TempDir,
    pub engine: Engine,
    pub clock: Arc<FixedClock>,
    pub client: i64,
    pub phone: String,
}

pub fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(utc(3, 1, 12)));
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: Some("020 7123 4567".into()),
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let c = engine
        .create_client(
            &ClientInput {
                name: "Ann Lee".into(),
                phone: "07400 123001".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .record_consent(
            &ConsentInput {
                client_id: c.id,
                purpose: Purpose::Service,
                action: ConsentAction::Granted,
                channel: ConsentChannel::PaperForm,
                recorded_by: "Sam".into(),
                occurred_at: None,
                evidence: None,
            },
            WriteSource::Ui,
        )
        .unwrap();
    Desk {
        _dir: dir,
        engine,
        clock,
        client: c.id,
        phone: c.phone,
    }
}

impl Desk {
    pub fn book(&self, start: DateTime<Utc>) -> i64 {
        self.engine
            .create_appointment(
                &AppointmentInput {
                    client_id: self.client,
                    starts_at: start,
                    ends_at: start + Duration::minutes(30),
                    service_id: None,
                    staff_id: None,
                    location: None,
                    notes: None,
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap()
            .id
    }

    pub fn says(&self, text: &str) -> Vec<tidings_engine::TickItem> {
        self.engine
            .sandbox()
            .unwrap()
            .customer_sends(&self.phone, text)
            .unwrap();
        run(self.engine.poll_inbound()).unwrap()
    }

    /// Texts the carrier delivered to the client, oldest first.
    pub fn delivered(&self) -> Vec<String> {
        run(tidings_sms::Provider::messages_to(
            self.engine.sandbox().unwrap(),
            &self.phone,
            utc(1, 1, 0),
        ))
        .unwrap()
        .into_iter()
        .map(|r| r.body)
        .collect()
    }
}

pub fn thread_of(d: &Desk, filter: tidings_engine::InboxFilter) -> tidings_engine::ThreadSummary {
    let inbox = d.engine.inbox(filter).unwrap();
    assert_eq!(inbox.threads.len(), 1, "{inbox:#?}");
    inbox.threads.into_iter().next().unwrap()
}
