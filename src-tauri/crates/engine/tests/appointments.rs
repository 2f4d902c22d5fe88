//! Appointments through the engine: booking, moving, statuses, and CSV and ICS imports with
//! exact per-row results, idempotent re-imports and daylight-saving days.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, SetupInput, WriteSource,
};
use tidings_engine::{AppointmentImportOptions, Engine, EngineConfig, ErrorCode, FixedClock};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("../../../tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn desk(dir: &tempfile::TempDir) -> Engine {
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("tidings.sqlite3"),
        clock: Arc::new(FixedClock::new(utc(2027, 3, 1, 12, 0))),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
}

fn import(engine: &Engine, bytes: &[u8]) -> tidings_engine::AppointmentImportReport {
    engine
        .import_appointments(
            bytes,
            &AppointmentImportOptions::default(),
            false,
            WriteSource::Import,
            "desk",
        )
        .unwrap()
}

fn rows(list: &[tidings_engine::domain::import::SkippedRow]) -> Vec<u32> {
    list.iter().map(|s| s.row).collect()
}

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
fn a_csv_export_imports_with_exact_per_row_results_and_reimports_as_no_change() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let bytes = fixture("appointments.csv");
    let preview = engine
        .preview_appointment_import(&bytes, &AppointmentImportOptions::default())
        .unwrap();
    assert_eq!(preview.kind, "csv");
    let mapping = preview.mapping.unwrap();
    assert_eq!(
        (
            mapping.external_id,
            mapping.date,
            mapping.start_time,
            mapping.end_time
        ),
        (Some(0), Some(1), Some(2), Some(3))
    );
    assert!(engine
        .appointments_between(utc(2027, 1, 1, 0, 0), utc(2027, 12, 31, 0, 0), None)
        .unwrap()
        .is_empty());

    let report = import(&engine, &bytes);
    assert_eq!(
        (
            report.created,
            report.updated,
            report.unchanged,
            report.cancelled
        ),
        (4, 0, 0, 0)
    );
    assert_eq!(rows(&report.skipped), vec![3, 5, 7, 10]);
    assert!(
        report.skipped[0].reason.contains("does not exist"),
        "{}",
        report.skipped[0].reason
    );
    assert!(report.skipped[1].reason.contains("ends before it starts"));
    assert!(report.skipped[2].reason.contains("nothing to cancel"));
    assert_eq!(report.skipped[3].reason, "same booking as row 2");
    assert_eq!(rows(&report.no_client), vec![6]);
    assert_eq!(rows(&report.overlapping), vec![9]);
    assert_eq!(report.clients_created, 4);

    // DST days: 09:00 on the US spring-forward and fall-back days.
    let all = engine
        .appointments_between(utc(2027, 3, 1, 0, 0), utc(2027, 12, 1, 0, 0), None)
        .unwrap();
    let ann = all.iter().find(|a| a.client_name == "Ann Lee").unwrap();
    assert_eq!(ann.starts_at, utc(2027, 3, 14, 13, 0));
    let bo = all.iter().find(|a| a.client_name == "Bo Diaz").unwrap();
    assert_eq!(bo.starts_at, utc(2027, 11, 7, 14, 0));
    assert_eq!(bo.status, AppointmentStatus::Confirmed);
    assert_eq!(bo.staff.as_deref(), Some("Kim"));
    assert_eq!(engine.staff().unwrap().len(), 2);

    let again = import(&engine, &bytes);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 4));
    assert_eq!(
        engine
            .appointments_between(utc(2027, 3, 1, 0, 0), utc(2027, 12, 1, 0, 0), None)
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn a_changed_export_updates_by_id_cancels_and_reports_what_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    engine
        .apply_preset(tidings_engine::Preset::Standard, WriteSource::Ui, "desk")
        .unwrap();
    import(&engine, &fixture("appointments.csv"));
    let ann = engine
        .appointments_between(utc(2027, 3, 14, 0, 0), utc(2027, 3, 15, 0, 0), None)
        .unwrap()
        .into_iter()
        .find(|a| a.client_name == "Ann Lee")
        .unwrap();
    let waiting = |id| {
        engine
            .outbox(Some(id))
            .unwrap()
            .into_iter()
            .filter(|m| m.status == tidings_engine::MessageStatus::Planned)
            .count()
    };
    assert!(waiting(ann.id) > 0);
    let changed = b"Booking ID,Date,Start Time,End Time,Client,Mobile,Service,Staff,Status\n\
B100,03/14/2027,9:00 AM,10:00 AM,Ann Lee,(415) 555-2671,Cut,Sam,Cancelled\n\
B102,11/07/2027,9:00 AM,9:45 AM,Bo Diaz,415-555-2673,Colour,Kim,Confirmed\n\
B106,03/15/2027,11:30 AM,12:30 PM,Fay Hill,415 555 2676,Cut,Sam,Booked\n";
    let report = import(&engine, changed);
    assert_eq!(
        (
            report.created,
            report.updated,
            report.unchanged,
            report.cancelled
        ),
        (0, 1, 1, 1)
    );
    assert_eq!(
        waiting(ann.id),
        0,
        "a booking the export cancels has its waiting texts cancelled with it"
    );
    assert_eq!(report.missing.len(), 1, "{:?}", report.missing);
    assert_eq!(report.missing[0].external_id, "B107");
    let gus = engine
        .appointment(report.missing[0].appointment_id)
        .unwrap();
    assert_eq!(
        gus.status,
        AppointmentStatus::Booked,
        "reported, not deleted"
    );
    let fay = engine
        .appointments_between(utc(2027, 3, 15, 0, 0), utc(2027, 3, 16, 0, 0), None)
        .unwrap()
        .into_iter()
        .find(|a| a.client_name == "Fay Hill")
        .unwrap();
    assert_eq!(fay.starts_at, utc(2027, 3, 15, 15, 30));
}

#[test]
fn an_ics_calendar_imports_zones_recurrences_cancellations_and_numberless_events() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let bytes = fixture("appointments.ics");
    let report = import(&engine, &bytes);
    assert_eq!((report.created, report.cancelled), (5, 0));
    assert_eq!(rows(&report.skipped), vec![4, 5]);
    assert!(report.skipped[0].reason.contains("nothing to cancel"));
    assert!(report.skipped[1].reason.contains("does not exist"));
    assert_eq!(rows(&report.no_client), vec![6]);

    let all = engine
        .appointments_between(utc(2027, 3, 1, 0, 0), utc(2027, 6, 1, 0, 0), None)
        .unwrap();
    let ann = all
        .iter()
        .find(|a| a.client_phone == "+14155552671")
        .unwrap();
    assert_eq!(ann.client_name, "Ann Lee");
    assert_eq!(ann.starts_at, utc(2027, 3, 14, 13, 0));
    let physio: Vec<_> = all
        .iter()
        .filter(|a| a.client_phone == "+14155552674")
        .collect();
    assert_eq!(
        physio.iter().map(|a| a.starts_at).collect::<Vec<_>>(),
        vec![
            utc(2027, 3, 2, 15, 0),
            utc(2027, 3, 9, 15, 0),
            utc(2027, 3, 23, 14, 0)
        ],
        "weekly at 10:00 New York time, the EXDATE left out"
    );
    assert!(physio
        .iter()
        .all(|a| a.ends_at - a.starts_at == Duration::minutes(30)));

    let again = import(&engine, &bytes);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 5));

    let cancelled = String::from_utf8(bytes.clone()).unwrap().replace(
        "SUMMARY:Haircut\r\n",
        "SUMMARY:Haircut\r\nSTATUS:CANCELLED\r\n",
    );
    let report = import(&engine, cancelled.as_bytes());
    assert_eq!(report.cancelled, 1);
    assert_eq!(
        engine.appointment(ann.id).unwrap().status,
        AppointmentStatus::Cancelled
    );
}

#[test]
fn broken_files_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    for bytes in [
        &b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nnonsense"[..],
        b"",
        b"\x00\x01binary",
    ] {
        let err = engine
            .import_appointments(
                bytes,
                &AppointmentImportOptions::default(),
                false,
                WriteSource::Import,
                "desk",
            )
            .unwrap_err()
            .payload();
        assert_eq!(err.code, ErrorCode::ImportFile, "{bytes:?}");
    }
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
