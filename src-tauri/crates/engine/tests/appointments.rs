//! Appointments through the engine: booking, moving, statuses, overlapping bookings and the
//! business's day. Imports are in `appointment_imports.rs` and `booking_system_exports.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod appointment_desk;

use std::sync::Arc;

use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, SetupInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, ErrorCode, FixedClock};

use appointment_desk::{desk, fixture, import, utc};

#[test]
fn booking_moving_and_status_changes_are_kept_and_announced() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
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
    let mut changes = engine.subscribe();
    let input = AppointmentInput {
        client_id: client.id,
        starts_at: utc(2027, 3, 14, 13, 0),
        ends_at: utc(2027, 3, 14, 14, 0),
        service_id: None,
        staff_id: None,
        location: None,
        notes: None,
    };
    let booked = engine
        .create_appointment(&input, WriteSource::Ui, "desk")
        .unwrap();
    assert_eq!(booked.status, AppointmentStatus::Booked);
    assert_eq!(booked.timezone, "America/New_York");
    assert_eq!(booked.client_name, "Ann Lee");
    assert!(changes.try_recv().is_ok());

    // Drag to the next day.
    let moved = engine
        .update_appointment(
            booked.id,
            &AppointmentInput {
                starts_at: utc(2027, 3, 15, 14, 0),
                ends_at: utc(2027, 3, 15, 15, 0),
                ..input.clone()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(moved.starts_at, utc(2027, 3, 15, 14, 0));
    assert_eq!(engine.recent_audit(1).unwrap()[0].action, "reschedule");

    let err = engine
        .update_appointment(
            booked.id,
            &AppointmentInput {
                ends_at: utc(2027, 3, 14, 12, 0),
                ..input.clone()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap_err()
        .payload();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(err.field.as_deref(), Some("ends_at"));
    assert_eq!(
        engine.appointment(booked.id).unwrap().starts_at,
        utc(2027, 3, 15, 14, 0)
    );

    let done = engine
        .set_appointment_status(
            booked.id,
            AppointmentStatus::Completed,
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(done.status, AppointmentStatus::Completed);

    let week = engine
        .appointments_between(utc(2027, 3, 14, 0, 0), utc(2027, 3, 21, 0, 0), None)
        .unwrap();
    assert_eq!(week.len(), 1);
    assert!(engine
        .appointments_between(utc(2027, 3, 16, 0, 0), utc(2027, 3, 21, 0, 0), None)
        .unwrap()
        .is_empty());
}

#[test]
fn overlapping_bookings_of_one_staff_member_are_flagged_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let sam = engine
        .save_staff(None, "Sam", WriteSource::Ui, "desk")
        .unwrap();
    let cut = engine
        .save_service(None, "Cut", 45, WriteSource::Ui, "desk")
        .unwrap();
    let mut ids = Vec::new();
    for (phone, start) in [("415 555 2671", 14), ("415 555 2672", 14)] {
        let c = engine
            .create_client(
                &ClientInput {
                    name: phone.into(),
                    phone: phone.into(),
                    ..ClientInput::default()
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
        let a = engine
            .create_appointment(
                &AppointmentInput {
                    client_id: c.id,
                    starts_at: utc(2027, 3, 15, start, 0),
                    ends_at: utc(2027, 3, 15, start, 45),
                    service_id: Some(cut.id),
                    staff_id: Some(sam.id),
                    location: None,
                    notes: None,
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
        ids.push(a.id);
    }
    let day = engine
        .appointments_between(utc(2027, 3, 15, 0, 0), utc(2027, 3, 16, 0, 0), Some(sam.id))
        .unwrap();
    assert_eq!(day.len(), 2);
    assert!(day.iter().all(|a| a.overlaps));
    assert_eq!(day[0].service.as_deref(), Some("Cut"));
    engine
        .set_appointment_status(
            ids[1],
            AppointmentStatus::Cancelled,
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    let day = engine
        .appointments_between(utc(2027, 3, 15, 0, 0), utc(2027, 3, 16, 0, 0), None)
        .unwrap();
    assert!(
        day.iter().all(|a| !a.overlaps),
        "a cancelled booking frees the slot"
    );
}

#[test]
fn today_is_the_business_day_not_the_utc_day() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        // 02:00 UTC on the 15th is still the 14th in New York.
        clock: Arc::new(FixedClock::new(utc(2027, 3, 15, 2, 0))),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    import(&engine, &fixture("appointments.csv"));
    let today = engine.today().unwrap();
    assert_eq!(today.date, "2027-03-14");
    assert_eq!(today.appointments.len(), 1);
    assert_eq!(today.appointments[0].client_name, "Ann Lee");
}
