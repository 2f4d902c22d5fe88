//! Exports from other booking systems (Acuity, Square, a Spanish Windows-1252 CSV, Google
//! Calendar) read row by row in the import's preview, then imported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod appointment_desk;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tidings_engine::domain::{AppointmentStatus, SetupInput, WriteSource};
use tidings_engine::{AppointmentImportOptions, Engine, EngineConfig, FixedClock};

use appointment_desk::{desk, fixture, import, utc};

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
    // "Confirmada" is a firm booking, not her answer: her reminders still ask her.
    assert_eq!(maria.status, AppointmentStatus::Booked, "'Confirmada'");
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
