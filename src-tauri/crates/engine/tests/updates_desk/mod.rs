//! A desk in London on the Sandbox carrier for the update, notice and follow-up tests: Quay,
//! set up on Tuesday 2 March 2027 at 09:00, with helpers to add clients, book and read texts.

// Each test file uses its own share of these.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, ClientInput, ConsentAction, ConsentChannel, ConsentInput, Purpose,
    SetupInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, NoticeInput};

pub fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, d, h, m, 0).unwrap()
}

pub fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

pub struct Desk {
    pub dir: tempfile::TempDir,
    pub engine: Engine,
    pub clock: Arc<FixedClock>,
}

pub fn open(dir: &tempfile::TempDir, clock: Arc<FixedClock>) -> Engine {
    Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        clock,
        ..EngineConfig::new(Default::default())
    })
    .unwrap()
}

pub fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    // Tuesday 2 March 2027, 09:00 in London.
    let clock = Arc::new(FixedClock::new(utc(2, 9, 0)));
    let engine = open(&dir, clock.clone());
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    Desk { dir, engine, clock }
}

impl Desk {
    pub fn client(&self, name: &str, phone: &str, consent: Option<ConsentAction>) -> i64 {
        let c = self
            .engine
            .create_client(
                &ClientInput {
                    name: name.into(),
                    phone: phone.into(),
                    ..ClientInput::default()
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
        if let Some(action) = consent {
            self.engine
                .record_consent(
                    &ConsentInput {
                        client_id: c.id,
                        purpose: Purpose::Service,
                        action,
                        channel: ConsentChannel::PaperForm,
                        recorded_by: "Sam".into(),
                        occurred_at: None,
                        evidence: None,
                    },
                    WriteSource::Ui,
                )
                .unwrap();
        }
        c.id
    }

    pub fn book(&self, client_id: i64, start: DateTime<Utc>) -> i64 {
        self.engine
            .create_appointment(
                &AppointmentInput {
                    client_id,
                    starts_at: start,
                    ends_at: start + Duration::minutes(45),
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

    pub fn delivered_to(&self, phone: &str) -> Vec<String> {
        run(tidings_sms::Provider::messages_to(
            self.engine.sandbox().unwrap(),
            phone,
            utc(1, 0, 0),
        ))
        .unwrap()
        .into_iter()
        .map(|r| r.body)
        .collect()
    }
}

pub fn notice(date: &str, text: &str) -> NoticeInput {
    NoticeInput {
        date: date.into(),
        staff_id: None,
        from_time: None,
        to_time: None,
        text: text.into(),
        urgent: false,
    }
}
