//! CSV and ICS imports of appointments with exact per-row results, idempotent re-imports,
//! changed exports, daylight-saving days, and broken files refused whole.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod appointment_desk;

use chrono::Duration;
use tidings_engine::domain::{AppointmentStatus, WriteSource};
use tidings_engine::{AppointmentImportOptions, ErrorCode};

use appointment_desk::{desk, fixture, import, rows, utc};

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
    // The file's "Confirmed" means the booking is firm; only the customer's YES confirms.
    assert_eq!(bo.status, AppointmentStatus::Booked);
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
fn a_file_that_cannot_be_read_at_all_says_why_once() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let try_import = |bytes: &[u8]| {
        engine
            .import_appointments(
                bytes,
                &AppointmentImportOptions::default(),
                true,
                WriteSource::Import,
                "desk",
            )
            .unwrap_err()
            .payload()
    };
    // No column holds the time: one refusal naming the file's columns, not one per row.
    let err = try_import(
        b"Client,Phone,Service\nAnn Lee,+14155552671,Cut\nBo Diaz,+14155552673,Colour\n",
    );
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");
    assert!(
        err.message.contains("date and time") && err.message.contains("1 \"Client\""),
        "{}",
        err.message
    );
    // A sign-in page saved where the export should be.
    let err = try_import(b"<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n");
    assert_eq!(err.code, ErrorCode::ImportFile, "{err:?}");
    assert!(err.message.contains("web page"), "{}", err.message);
    // A quote left open swallows every row after it: refused, not imported short.
    let err = try_import(
        b"Date,Time,Client,Phone\n2027-03-10,10:00,\"Ann Lee,+14155552671\n2027-03-11,11:00,Bo Diaz,+14155552673\n",
    );
    assert_eq!(err.code, ErrorCode::ImportFile, "{err:?}");
    assert!(err.message.contains("line 2"), "{}", err.message);
}
