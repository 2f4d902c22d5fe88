//! Desks prepared through the engine before the app starts, for tests that need data the UI
//! would take many steps to enter.

use chrono::{DateTime, Duration, Timelike, Utc};
use tidings_engine::domain::{
    AppointmentInput, ClientInput, ConsentAction, ConsentChannel, ConsentInput, Purpose,
    QuietHours, SetupInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, Preset};

/// Quay Clinic (UTC, GB) with the Light preset and Ann Lee (07400 123001, consent given) booked
/// at each of `hours_ahead`. Quiet hours are moved away from the current hour so the tests
/// pass at any time of day.
pub fn with_a_due_reminder(db: &std::path::Path, hours_ahead: &[i64]) {
    let (engine, now) = quay_clinic(db);
    engine
        .apply_preset(Preset::Light, WriteSource::Ui, "test")
        .unwrap();
    let client_id = client_with_consent(&engine, "Ann Lee", "07400 123001", ConsentAction::Granted);
    // Booked `hours_ahead` from now. Within 24 hours the reminder's time has passed but it is
    // still useful, so it goes as soon as the app starts; later ones wait.
    for hours in hours_ahead {
        let start = (now + Duration::hours(*hours)).with_second(0).unwrap();
        engine
            .create_appointment(
                &AppointmentInput {
                    client_id,
                    starts_at: start,
                    ends_at: start + Duration::hours(1),
                    service_id: None,
                    staff_id: None,
                    location: None,
                    notes: None,
                },
                WriteSource::Ui,
                "test",
            )
            .unwrap();
    }
}

/// Three clients booked tomorrow (UTC) at 10:00, 11:00 and 12:00: Ann Lee and Bo Ray with
/// consent, Cy Dee opted out. Returns tomorrow's date ("YYYY-MM-DD") and the appointment ids.
pub fn with_a_day_to_notify(db: &std::path::Path) -> (String, Vec<i64>) {
    let (engine, now) = quay_clinic(db);
    let tomorrow = (now + Duration::days(1)).date_naive();
    let mut ids = Vec::new();
    for (i, (name, phone, action)) in [
        ("Ann Lee", "07400 123001", ConsentAction::Granted),
        ("Bo Ray", "07400 123002", ConsentAction::Granted),
        ("Cy Dee", "07400 123003", ConsentAction::Revoked),
    ]
    .into_iter()
    .enumerate()
    {
        let client_id = client_with_consent(&engine, name, phone, action);
        let start = tomorrow.and_hms_opt(10 + i as u32, 0, 0).unwrap().and_utc();
        ids.push(
            engine
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
                    "test",
                )
                .unwrap()
                .id,
        );
    }
    (tomorrow.format("%Y-%m-%d").to_string(), ids)
}

/// Opens the database at `db` and sets up Quay Clinic (UTC, GB), with quiet hours moved away
/// from the current hour so the tests pass at any time of day. Returns the engine and the
/// time the quiet hours were worked out from.
fn quay_clinic(db: &std::path::Path) -> (Engine, DateTime<Utc>) {
    let engine = Engine::open(EngineConfig::new(db.to_owned())).unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "UTC".into(),
                phone_region: "GB".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "test",
        )
        .unwrap();
    let now = Utc::now();
    let quiet_start = (now + Duration::hours(8)).hour();
    // Written to the settings table directly: the app refuses quiet hours that leave the night
    // open, and these are a test's two hours, away from whenever the suite runs.
    let quiet = QuietHours {
        start: format!("{quiet_start:02}:00"),
        end: format!("{:02}:00", (quiet_start + 2) % 24),
    };
    rusqlite::Connection::open(db)
        .unwrap()
        .execute(
            "INSERT OR REPLACE INTO settings (key, value, updated_at)
             VALUES ('quiet_hours', ?1, '2026-01-01T00:00:00Z')",
            [serde_json::to_string(&quiet).unwrap()],
        )
        .unwrap();
    (engine, now)
}

/// Adds a client and records `action` on their consent for appointment texts, given at the
/// front desk to Sam. Returns the client's id.
fn client_with_consent(engine: &Engine, name: &str, phone: &str, action: ConsentAction) -> i64 {
    let client = engine
        .create_client(
            &ClientInput {
                name: name.into(),
                phone: phone.into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "test",
        )
        .unwrap();
    engine
        .record_consent(
            &ConsentInput {
                client_id: client.id,
                purpose: Purpose::Service,
                action,
                channel: ConsentChannel::FrontDeskVerbal,
                recorded_by: "Sam".into(),
                occurred_at: None,
                evidence: None,
            },
            WriteSource::Ui,
        )
        .unwrap();
    client.id
}

/// Sending paused from the tray on the desk at `db`: nothing goes out until it is resumed or a
/// provider is connected.
pub fn with_sending_paused(db: &std::path::Path) {
    let engine = Engine::open(EngineConfig::new(db.to_owned())).unwrap();
    engine.pause_sending_by_user(WriteSource::Ui).unwrap();
}

/// Quiet hours of one minute at 03:00 on the desk at `db`, so that a test which sends texts
/// passes whatever time CI runs it. Written to the settings table directly: the app is running
/// and reads its settings from the file.
pub fn with_quiet_hours_out_of_the_way(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "INSERT OR REPLACE INTO settings (key, value, updated_at)
         VALUES ('quiet_hours', '{\"start\":\"03:00\",\"end\":\"03:01\"}', '2026-01-01T00:00:00Z')",
        [],
    )
    .unwrap();
}
