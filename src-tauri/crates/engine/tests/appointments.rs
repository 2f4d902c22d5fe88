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
                business_phone: None,
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

/// One row of a preview as (row, client, phone, start, what it does).
type RowSummary = (u32, String, Option<String>, Option<DateTime<Utc>>, String);

fn plan_rows(preview: &tidings_engine::AppointmentImportPreview) -> Vec<RowSummary> {
    preview
        .rows
        .iter()
        .map(|r| {
            let does = match &r.outcome {
                tidings_engine::AppointmentOutcome::New => "new".to_owned(),
                tidings_engine::AppointmentOutcome::Update { .. } => "update".to_owned(),
                tidings_engine::AppointmentOutcome::Unchanged { .. } => "unchanged".to_owned(),
                tidings_engine::AppointmentOutcome::Cancel { .. } => "cancel".to_owned(),
                tidings_engine::AppointmentOutcome::Skipped { reason } => format!("skip: {reason}"),
                tidings_engine::AppointmentOutcome::NoClient => "no client".to_owned(),
            };
            (
                r.row,
                r.client_name.clone().unwrap_or_default(),
                r.phone.clone(),
                r.starts_at,
                does,
            )
        })
        .collect()
}

fn preview(engine: &Engine, bytes: &[u8]) -> tidings_engine::AppointmentImportPreview {
    engine
        .preview_appointment_import(bytes, &AppointmentImportOptions::default())
        .unwrap()
}

fn row(
    n: u32,
    client: &str,
    phone: Option<&str>,
    start: Option<DateTime<Utc>>,
    does: &str,
) -> RowSummary {
    (n, client.into(), phone.map(Into::into), start, does.into())
}

#[test]
fn an_acuity_export_reads_its_split_names_and_long_dates_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let file = fixture("acuity-appointments.csv");
    let p = preview(&engine, &file);
    let m = p.mapping.unwrap();
    assert_eq!(
        (
            m.start_time,
            m.end_time,
            m.client_name,
            m.last_name,
            m.phone,
            m.service,
            m.staff,
            m.external_id
        ),
        (
            Some(0),
            Some(1),
            Some(2),
            Some(3),
            Some(4),
            Some(6),
            Some(7),
            Some(16)
        ),
        "Acuity's own column names are understood"
    );
    assert_eq!(
        m.date, None,
        "'Date Scheduled' is when it was booked, not when it is"
    );
    let mut rows = plan_rows(&p);
    let night = rows.remove(4);
    assert_eq!(
        rows,
        vec![
            // 14 March 2027 is the day New York's clocks go forward: 09:00 EDT.
            row(
                2,
                "Ann Lee",
                Some("+14155552671"),
                Some(utc(2027, 3, 14, 13, 0)),
                "new"
            ),
            row(
                3,
                "Bo Diaz",
                Some("+14155552673"),
                Some(utc(2027, 3, 15, 18, 30)),
                "new"
            ),
            row(
                4,
                "Cy",
                Some("+14155552674"),
                Some(utc(2027, 3, 16, 15, 0)),
                "new"
            ),
            row(
                5,
                "Dee Fox",
                None,
                Some(utc(2027, 3, 17, 20, 0)),
                "no client"
            ),
        ]
    );
    assert_eq!(night.0, 6);
    assert!(
        night.4.starts_with("skip:") && night.4.contains("does not exist"),
        "{night:?}"
    );

    let report = import(&engine, &file);
    assert_eq!(
        (report.created, report.skipped.len(), report.no_client.len()),
        (3, 1, 1)
    );
    let bo = engine
        .appointments_between(utc(2027, 3, 15, 0, 0), utc(2027, 3, 16, 0, 0), None)
        .unwrap()
        .remove(0);
    assert_eq!(
        (
            bo.service.as_deref(),
            bo.staff.as_deref(),
            bo.notes.as_str(),
            bo.ends_at
        ),
        (
            Some("Colour"),
            Some("Kim"),
            "Patch test done",
            utc(2027, 3, 15, 19, 15)
        )
    );
    assert_eq!(bo.external_id.as_deref(), Some("1109810063"));
    // The same export again changes nothing.
    let again = import(&engine, &file);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
}

#[test]
fn a_square_export_reads_its_statuses_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let file = fixture("square-appointments.csv");
    let p = preview(&engine, &file);
    let m = p.mapping.unwrap();
    assert_eq!(
        (
            m.date,
            m.start_time,
            m.end_time,
            m.client_name,
            m.phone,
            m.service,
            m.staff,
            m.status,
            m.external_id
        ),
        (
            Some(0),
            Some(1),
            Some(2),
            Some(3),
            Some(4),
            Some(6),
            Some(7),
            Some(9),
            Some(10)
        )
    );
    assert_eq!(
        plan_rows(&p),
        vec![
            row(
                2,
                "Ann Lee",
                Some("+14155552671"),
                Some(utc(2027, 3, 14, 13, 0)),
                "new"
            ),
            row(
                3,
                "Bo Diaz",
                Some("+14155552673"),
                Some(utc(2027, 3, 15, 18, 30)),
                "skip: cancelled in the file, and not booked here: nothing to cancel"
            ),
            row(
                4,
                "Cy Eve",
                Some("+14155552674"),
                Some(utc(2027, 3, 16, 15, 0)),
                "skip: cancelled in the file, and not booked here: nothing to cancel"
            ),
            row(
                5,
                "Dee Fox",
                Some("+14155552676"),
                Some(utc(2027, 2, 20, 15, 0)),
                "new"
            ),
            row(
                6,
                "Eve Stone",
                Some("+14155552677"),
                Some(utc(2027, 3, 18, 17, 0)),
                "new"
            ),
            row(
                7,
                "",
                None,
                None,
                "skip: \"Waitlisted\" is not a status we know"
            ),
        ]
    );
    import(&engine, &file);
    let dee = engine
        .appointments_between(utc(2027, 2, 20, 0, 0), utc(2027, 2, 21, 0, 0), None)
        .unwrap()
        .remove(0);
    assert_eq!(dee.status, AppointmentStatus::NoShow, "Square's 'No show'");
    let eve = engine
        .appointments_between(utc(2027, 3, 18, 0, 0), utc(2027, 3, 19, 0, 0), None)
        .unwrap()
        .remove(0);
    assert_eq!(
        eve.status,
        AppointmentStatus::Booked,
        "Square's 'Pending' is a booking"
    );

    // Ann's booking is later cancelled by the seller: the next export cancels it here.
    let text = String::from_utf8(file).unwrap().replace(
        "Quay Salon,Accepted,sq-0001",
        "Quay Salon,Cancelled by seller,sq-0001",
    );
    let report = import(&engine, text.as_bytes());
    assert_eq!(report.cancelled, 1);
}

#[test]
fn a_spanish_windows_1252_export_with_semicolons_reads_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("tidings.sqlite3"),
        clock: Arc::new(FixedClock::new(utc(2027, 3, 1, 12, 0))),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Peluquería Sol".into(),
                timezone: "Europe/Madrid".into(),
                phone_region: "ES".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    let file = fixture("citas-windows1252.csv");
    let p = preview(&engine, &file);
    assert_eq!(p.headers[2], "Duración");
    assert_eq!(p.headers[5], "Teléfono");
    let m = p.mapping.unwrap();
    assert_eq!(
        (
            m.date,
            m.start_time,
            m.duration_minutes,
            m.client_name,
            m.last_name,
            m.phone,
            m.service,
            m.staff,
            m.status,
            m.notes
        ),
        (
            Some(0),
            Some(1),
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            Some(8),
            Some(9)
        )
    );
    let rows = plan_rows(&p);
    assert_eq!(
        rows[..3],
        [
            // Madrid is UTC+1 until 28 March.
            row(
                2,
                "María López",
                Some("+34612345678"),
                Some(utc(2027, 3, 14, 8, 30)),
                "new"
            ),
            row(
                3,
                "José Núñez",
                Some("+34699111222"),
                Some(utc(2027, 3, 15, 16, 0)),
                "new"
            ),
            row(
                4,
                "Begoña Ibáñez",
                None,
                Some(utc(2027, 3, 16, 9, 0)),
                "no client"
            ),
        ]
    );
    assert_eq!(rows[3].0, 5);
    assert!(
        rows[3]
            .4
            .contains("999999999999 minutes is longer than an appointment can be"),
        "{:?}",
        rows[3]
    );
    assert_eq!(
        rows[4],
        row(
            6,
            "Lucía Martín",
            Some("+34633444555"),
            Some(utc(2027, 3, 18, 11, 0)),
            "skip: cancelled in the file, and not booked here: nothing to cancel"
        )
    );
    import(&engine, &file);
    let maria = engine
        .appointments_between(utc(2027, 3, 14, 0, 0), utc(2027, 3, 15, 0, 0), None)
        .unwrap()
        .remove(0);
    assert_eq!(maria.status, AppointmentStatus::Confirmed, "'Confirmada'");
    assert_eq!(maria.notes, "Alérgica al amoníaco");
    assert_eq!(maria.ends_at - maria.starts_at, Duration::minutes(45));
}

#[test]
fn a_google_calendar_export_with_a_weekly_series_its_exceptions_and_cancellations() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let file = fixture("google-calendar.ics");
    let p = preview(&engine, &file);
    let mut rows = plan_rows(&p);
    rows.sort_by_key(|r| (r.3, r.0));
    let summary: Vec<(String, Option<DateTime<Utc>>, String)> = rows
        .iter()
        .map(|(_, client, _, at, does)| (client.clone(), *at, does.clone()))
        .collect();
    let eve = |at| ("Eve Stone".to_owned(), Some(at), "new".to_owned());
    assert_eq!(
        summary,
        vec![
            // The all-day "Salon closed" is not an appointment.
            (
                String::new(),
                None,
                "skip: an all-day event has no appointment time".to_owned()
            ),
            // The weekly series: 2 March (EST), 9 March moved to 15:00, 16 March excluded,
            // 23 March cancelled, 30 March and 6 April (EDT) as planned.
            eve(utc(2027, 3, 2, 15, 0)),
            eve(utc(2027, 3, 9, 20, 0)),
            (
                "Maria Lopez".to_owned(),
                Some(utc(2027, 3, 10, 15, 0)),
                "new".to_owned()
            ),
            (
                "Lee Kim".to_owned(),
                Some(utc(2027, 3, 11, 1, 0)),
                "new".to_owned()
            ),
            (
                "Ana Ruiz".to_owned(),
                Some(utc(2027, 3, 12, 14, 0)),
                "skip: cancelled in the file, and not booked here: nothing to cancel".to_owned()
            ),
            (
                "Eve Stone".to_owned(),
                Some(utc(2027, 3, 23, 14, 0)),
                "skip: cancelled in the file, and not booked here: nothing to cancel".to_owned()
            ),
            eve(utc(2027, 3, 30, 14, 0)),
            eve(utc(2027, 4, 6, 14, 0)),
        ],
        "{rows:#?}"
    );
    let lee = rows.iter().find(|r| r.1 == "Lee Kim").unwrap();
    assert_eq!(
        lee.2.as_deref(),
        Some("+12125550121"),
        "the number came out of the title"
    );
    let report = import(&engine, &file);
    assert_eq!(report.created, 6);
    // Re-imported unchanged: nothing new, and no occurrence comes back as a second booking.
    let again = import(&engine, &file);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 6));
    let booked = engine
        .appointments_between(utc(2027, 3, 1, 0, 0), utc(2027, 4, 30, 0, 0), None)
        .unwrap();
    assert!(
        booked.iter().all(|a| a.status == AppointmentStatus::Booked),
        "CONFIRMED and TENTATIVE are bookings"
    );
    assert_eq!(booked.len(), 6);
    let moved = booked
        .iter()
        .find(|a| a.starts_at == utc(2027, 3, 9, 20, 0))
        .unwrap();
    assert_eq!(moved.location, "");
    assert!(
        moved.notes.contains("Moved to the afternoon"),
        "{}",
        moved.notes
    );
}
