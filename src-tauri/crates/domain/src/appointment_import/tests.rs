//! Reading CSV rows and ICS events into appointments or reasons.

use super::titles::phone_in_text;
use super::*;
use crate::import::ImportFileError;

#[test]
fn a_repeat_rule_with_characters_no_rule_has_is_a_reason_not_a_panic() {
    // Found by the `ics` fuzz target: a byte outside ASCII inside BYDAY.
    for rule in [
        "FREQ=WEEKLY;COUNT=6;BYDAY=TU\u{bb}",
        "FREQ=WEEKLY;BYDAY=TU\u{fffd}",
        "FREQ=DAILY;COUNT=2 ",
    ] {
        let ics = format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r1\r\nDTSTART:20270302T150000Z\r\nDTEND:20270302T160000Z\r\nRRULE:{rule}\r\nSUMMARY:Massage - Eve Stone 415 555 0112\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            );
        let parsed = parse_ics(
            ics.as_bytes(),
            &chrono_tz::UTC,
            "US",
            now(),
            &IcsRules::default(),
        )
        .unwrap();
        assert!(parsed.appointments.is_empty(), "{rule}");
        assert_eq!(parsed.rejected.len(), 1, "{rule}");
        assert!(parsed.rejected[0].reason.contains("repeat rule"), "{rule}");
    }
    let crash = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20270302T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU\xbb\nEXDATE;TZID=meAriSUMMARYca/New_York:20270316T\x00\x00100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let _ = parse_ics(crash, &chrono_tz::UTC, "US", now(), &IcsRules::default());
}

#[test]
fn a_phone_in_a_title_is_found_in_the_forms_people_type_it() {
    for (text, phone, typed) in [
        (
            "Colour - Bo Chen (212) 555-0121",
            "+12125550121",
            "(212) 555-0121",
        ),
        ("Bo Chen 212.555.0121", "+12125550121", "212.555.0121"),
        (
            "Bo Chen +1 (212) 555-0121 VIP",
            "+12125550121",
            "+1 (212) 555-0121",
        ),
        (
            "Trim (VIP) - Bo 212-555-0121",
            "+12125550121",
            "212-555-0121",
        ),
    ] {
        assert_eq!(
            phone_in_text(text, "US"),
            Some((phone.to_owned(), typed.to_owned())),
            "{text}"
        );
    }
    assert_eq!(phone_in_text("Haircut (45 min) - Ann", "US"), None);
}
use crate::import::read_csv;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
}

#[test]
fn csv_rows_become_appointments_or_reasons() {
    let file = b"Date,Time,Duration,Client,Mobile,Service,Staff,Status,Booking ID\n\
            14/03/2027,09:00,45,Ann Lee,07400 123001,Cut,Sam,Booked,B1\n\
            28/03/2027,01:30,30,Bo Diaz,07400 123002,Cut,Sam,,B2\n\
            29/03/2027,10:00,,Cy Eve,07400 123003,Cut,Sam,,B3\n\
            30/03/2027,soon,30,Di Fox,07400 123004,Cut,Sam,,B4\n\
            31/03/2027,11:00,30,Ed Gray,,Colour,Kim,Canceled,B5\n";
    let table = read_csv(file).unwrap();
    let columns = guess_columns(&table.headers);
    assert_eq!(columns.duration_minutes, Some(2));
    assert_eq!(columns.external_id, Some(8));
    let parsed = parse_csv(&table, &columns, &chrono_tz::Europe::London, "GB", now());
    assert_eq!(parsed.appointments.len(), 2);
    let ann = &parsed.appointments[0];
    assert_eq!(
        ann.starts_at,
        Utc.with_ymd_and_hms(2027, 3, 14, 9, 0, 0).unwrap()
    );
    assert_eq!(ann.ends_at - ann.starts_at, Duration::minutes(45));
    assert_eq!(ann.phone.as_deref(), Some("+447400123001"));
    assert_eq!(parsed.appointments[1].status, AppointmentStatus::Cancelled);
    assert_eq!(parsed.appointments[1].phone, None);
    let reasons: Vec<(u32, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.row, r.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert_eq!(reasons[0].0, 3);
    assert!(reasons[0].1.contains("does not exist"), "{}", reasons[0].1);
    assert_eq!(reasons[1], (4, "no end time or duration"));
    assert_eq!(reasons[2], (5, "\"soon\" is not a time"));
}

#[test]
fn us_desks_read_dates_month_first() {
    let file = b"Start,End,Client,Phone\n3/14/2027 9:00 AM,3/14/2027 10:00 AM,Ann,(415) 555-2671\n";
    let table = read_csv(file).unwrap();
    let parsed = parse_csv(
        &table,
        &guess_columns(&table.headers),
        &chrono_tz::America::New_York,
        "US",
        now(),
    );
    assert_eq!(parsed.rejected, vec![]);
    assert_eq!(
        parsed.appointments[0].starts_at,
        Utc.with_ymd_and_hms(2027, 3, 14, 13, 0, 0).unwrap()
    );
}

#[test]
fn ics_events_with_zones_utc_floating_recurrence_and_cancellation() {
    let ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:a1\r\nDTSTART;TZID=America/New_York:20270314T090000\r\nDTEND;TZID=America/New_York:20270314T100000\r\nSUMMARY:Ann Lee\r\nATTENDEE;CN=Ann Lee:tel:+14155552671\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b2\r\nDTSTART:20270315T140000Z\r\nDURATION:PT30M\r\nSUMMARY:Bo Diaz 415-555-2672\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:c3\r\nDTSTART:20270314T023000\r\nSUMMARY:Night owl (415) 555-2673\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:d4\r\nDTSTART;TZID=America/New_York:20270302T100000\r\nDTEND;TZID=America/New_York:20270302T110000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Weekly physio\r\nDESCRIPTION:Call 415 555 2674\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:e5\r\nDTSTART;TZID=America/New_York:20270320T100000\r\nSTATUS:CANCELLED\r\nSUMMARY:Ed 4155552675\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:f6\r\nDTSTART;VALUE=DATE:20270321\r\nSUMMARY:Closed for training\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:g7\r\nDTSTART:20270322T150000Z\r\nSUMMARY:Walk-in, no number\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    assert!(is_ics(ics));
    let parsed = parse_ics(
        ics,
        &chrono_tz::America::New_York,
        "US",
        now(),
        &IcsRules::default(),
    )
    .unwrap();
    let by_uid = |uid: &str| {
        parsed
            .appointments
            .iter()
            .filter(|a| {
                a.external_id
                    .as_deref()
                    .is_some_and(|id| id == uid || id.starts_with(&format!("{uid}/")))
            })
            .collect::<Vec<_>>()
    };

    let ann = by_uid("a1");
    assert_eq!(
        ann[0].starts_at,
        Utc.with_ymd_and_hms(2027, 3, 14, 13, 0, 0).unwrap()
    );
    assert_eq!(ann[0].phone.as_deref(), Some("+14155552671"));
    assert_eq!(ann[0].client_name, "Ann Lee");

    let bo = by_uid("b2");
    assert_eq!(bo[0].ends_at - bo[0].starts_at, Duration::minutes(30));
    assert_eq!(bo[0].client_name, "Bo Diaz");
    assert_eq!(bo[0].phone.as_deref(), Some("+14155552672"));

    let weekly = by_uid("d4");
    assert_eq!(weekly.len(), 3);
    // Across the 2027-03-14 change the wall time stays 10:00.
    assert_eq!(
        weekly[1].starts_at,
        Utc.with_ymd_and_hms(2027, 3, 9, 15, 0, 0).unwrap()
    );
    assert_eq!(
        weekly[2].starts_at,
        Utc.with_ymd_and_hms(2027, 3, 16, 14, 0, 0).unwrap()
    );
    assert_eq!(weekly[0].phone.as_deref(), Some("+14155552674"));
    assert_eq!(
        weekly[0].external_id.as_deref(),
        Some("d4/20270302T150000Z")
    );

    assert_eq!(by_uid("e5")[0].status, AppointmentStatus::Cancelled);
    assert_eq!(by_uid("g7")[0].phone, None);

    let reasons: Vec<(u32, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.row, r.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0].0, 3);
    assert!(reasons[0].1.contains("does not exist"));
    assert_eq!(reasons[1], (6, "an all-day event has no appointment time"));
}

#[test]
fn a_broken_calendar_is_refused_whole() {
    assert!(matches!(
        parse_ics(
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nthis is not",
            &chrono_tz::UTC,
            "US",
            now(),
            &IcsRules::default()
        ),
        Err(ImportFileError::Malformed(_))
    ));
}

/// What Google Calendar writes: STATUS:CONFIRMED on every ordinary event, the owner as
/// ORGANIZER and an ATTENDEE, titles with the service and the client (and sometimes the
/// number), a description with "Client:" and "Phone:" lines.
const GOOGLE: &str = "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-TIMEZONE:America/New_York\r\n\
BEGIN:VEVENT\r\nDTSTART:20270310T150000Z\r\nDTEND:20270310T160000Z\r\nDTSTAMP:20270301T120000Z\r\nORGANIZER;CN=Quay Salon:mailto:quaysalon@gmail.com\r\nUID:1a2b3c@google.com\r\nATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=quaysalon@gmail.com;X-NUM-GUESTS=0:mailto:quaysalon@gmail.com\r\nCREATED:20270301T110000Z\r\nDESCRIPTION:\r\nLAST-MODIFIED:20270301T110000Z\r\nLOCATION:\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\nSUMMARY:Haircut - Maria Lopez\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270311T010000Z\r\nDTEND:20270311T013000Z\r\nUID:4d5e6f@google.com\r\nSTATUS:CONFIRMED\r\nSUMMARY:Night slot - Lee Kim 212-555-0121\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270312T150000Z\r\nDTEND:20270312T160000Z\r\nUID:7a8b9c@google.com\r\nSTATUS:TENTATIVE\r\nSUMMARY:Colour\r\nDESCRIPTION:Client: Ana Ruiz\\nPhone: (415) 555-0199\\nAllergic to ammonia\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270313T150000Z\r\nDTEND:20270313T160000Z\r\nUID:0c0d0e@google.com\r\nSTATUS:CONFIRMED\r\nSUMMARY:Sam Poe - Beard trim\r\nORGANIZER:mailto:quaysalon@gmail.com\r\nATTENDEE;CN=Sam Poe;ROLE=REQ-PARTICIPANT:mailto:sam.poe@example.com\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270314T150000Z\r\nDURATION:P100000000D\r\nUID:big@google.com\r\nSUMMARY:Haircut - Broken Length\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;TZID=America/New_York:20270802T100000\r\nDTEND;TZID=America/New_York:20270802T110000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nUID:later@google.com\r\nSTATUS:CONFIRMED\r\nSUMMARY:Physio - Jo Banks 415 555 0111\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;TZID=America/New_York:20270302T100000\r\nDTEND;TZID=America/New_York:20270302T110000\r\nRRULE:FREQ=WEEKLY\r\nUID:weekly@google.com\r\nSTATUS:CONFIRMED\r\nSUMMARY:Massage - Eve Stone 415 555 0112\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:29990101T150000Z\r\nDTEND:29990101T160000Z\r\nUID:typo@google.com\r\nSUMMARY:Haircut - Year Typo\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[test]
fn a_google_calendar_export_reads_clients_services_and_statuses_as_meant() {
    let services = ["Beard trim".to_owned()];
    let rules = IcsRules {
        title: TitleRule::ServiceThenName,
        services: &services,
    };
    let parsed = parse_ics(
        GOOGLE.as_bytes(),
        &chrono_tz::America::New_York,
        "US",
        now(),
        &rules,
    )
    .unwrap();
    let by = |uid: &str| {
        parsed
            .appointments
            .iter()
            .find(|a| {
                a.external_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with(uid))
            })
            .unwrap_or_else(|| panic!("{uid} not read: {parsed:#?}"))
    };
    // CONFIRMED and TENTATIVE mean "on the calendar", not "the customer confirmed".
    let maria = by("1a2b3c");
    assert_eq!(maria.status, AppointmentStatus::Booked);
    assert_eq!(maria.client_name, "Maria Lopez");
    assert_eq!(maria.service.as_deref(), Some("Haircut"));
    assert_eq!(maria.phone, None, "the owner's own address is not a client");
    assert_eq!(maria.read_from, "name: title · service: title");

    let lee = by("4d5e6f");
    assert_eq!(
        lee.client_name, "Lee Kim",
        "the phone is never left in a name"
    );
    assert_eq!(lee.phone.as_deref(), Some("+12125550121"));
    assert_eq!(lee.service.as_deref(), Some("Night slot"));

    let ana = by("7a8b9c");
    assert_eq!(ana.status, AppointmentStatus::Booked);
    assert_eq!(ana.client_name, "Ana Ruiz");
    assert_eq!(ana.phone.as_deref(), Some("+14155550199"));
    assert_eq!(
        ana.service, None,
        "a one-word title with the client elsewhere"
    );
    assert_eq!(ana.read_from, "name: description · phone: description");

    // A guest's name wins; a title part naming one of the desk's services is the service.
    let sam = by("0c0d0e");
    assert_eq!(sam.client_name, "Sam Poe");
    assert_eq!(sam.service.as_deref(), Some("Beard trim"));
    assert!(
        sam.read_from.starts_with("name: attendee"),
        "{}",
        sam.read_from
    );

    // A weekly series: the next 90 days now, the rest reported for a later import.
    let weekly: Vec<_> = parsed
        .appointments
        .iter()
        .filter(|a| {
            a.external_id
                .as_deref()
                .is_some_and(|id| id.starts_with("weekly"))
        })
        .collect();
    assert_eq!(weekly.len(), 13);
    assert!(weekly.iter().all(|a| a.client_name == "Eve Stone"));

    let reasons: Vec<(&str, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.label.as_str(), r.reason.as_str()))
        .collect();
    let reason = |label: &str| {
        reasons
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, r)| *r)
            .unwrap_or_else(|| panic!("no reason for {label}: {reasons:#?}"))
    };
    assert!(reason("Haircut - Broken Length").contains("up to 24 hours"));
    assert_eq!(
        reason("Physio - Jo Banks 415 555 0111"),
        "starts 2 Aug 2027: will be added on a later import (Tidings reads 90 days ahead)"
    );
    assert!(reason("Massage - Eve Stone 415 555 0112")
        .starts_with("repeats beyond the next 90 days: occurrences from 1 Jun 2027"));
    assert!(reason("Haircut - Year Typo").contains("check the year"));
    assert_eq!(parsed.appointments.len(), 4 + 13);
}

#[test]
fn the_title_rule_the_desk_chooses_is_followed() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x1\r\nDTSTART:20270310T150000Z\r\nSUMMARY:Maria Lopez - Haircut\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let read = |title| {
        parse_ics(
            ics.as_bytes(),
            &chrono_tz::UTC,
            "US",
            now(),
            &IcsRules {
                title,
                services: &[],
            },
        )
        .unwrap()
        .appointments
        .remove(0)
    };
    let a = read(TitleRule::NameThenService);
    assert_eq!(
        (a.client_name.as_str(), a.service.as_deref()),
        ("Maria Lopez", Some("Haircut"))
    );
    let a = read(TitleRule::NameOnly);
    assert_eq!(
        (a.client_name.as_str(), a.service),
        ("Maria Lopez - Haircut", None)
    );
}

/// Numbers past every bound are a reason on their row, never a panic.
#[test]
fn lengths_and_dates_past_every_bound_are_reasons_not_panics() {
    for duration in [
        "P100000000D",
        "P99999999999999999999W",
        "PT9223372036854775807M",
        "P2D",
        "PT0M",
        "PX",
    ] {
        let ics = format!("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART:20270310T150000Z\r\nDURATION:{duration}\r\nSUMMARY:Ann 415 555 0100\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        let parsed = parse_ics(
            ics.as_bytes(),
            &chrono_tz::UTC,
            "US",
            now(),
            &IcsRules::default(),
        )
        .unwrap();
        assert!(parsed.appointments.is_empty(), "{duration}");
        assert_eq!(parsed.rejected.len(), 1, "{duration}");
    }
    let csv = "Client,Phone,Date,Time,Duration\n\
                   Ann,415 555 0100,2027-03-10,10:00,999999999999\n\
                   Bo,415 555 0101,2027-03-10,10:00,9223372036854775807\n\
                   Cy,415 555 0102,2027-03-10,10:00,-5\n\
                   Di,415 555 0103,262142-03-10,10:00,30\n\
                   Ed,415 555 0104,2999-03-10,10:00,30\n\
                   Flo,415 555 0105,2027-03-10,10:00,1441\n\
                   Gus,415 555 0106,2027-03-10,10:00,45\n";
    let table = read_csv(csv.as_bytes()).unwrap();
    let parsed = parse_csv(
        &table,
        &guess_columns(&table.headers),
        &chrono_tz::America::New_York,
        "US",
        now(),
    );
    let reasons: Vec<String> = parsed
        .rejected
        .iter()
        .map(|r| format!("{}: {}", r.label, r.reason))
        .collect();
    assert_eq!(parsed.appointments.len(), 1, "{reasons:#?}");
    assert_eq!(reasons.len(), 6, "{reasons:#?}");
    assert!(
        reasons[0].starts_with("Ann: 999999999999 minutes is longer"),
        "{reasons:#?}"
    );
    assert!(
        reasons[2].starts_with("Cy: the length must be more than 0"),
        "{reasons:#?}"
    );
    assert!(reasons[4].contains("check the year"), "{reasons:#?}");

    let long = format!(
        "Client,Phone,Date,Time,Duration\n{},415 555 0100,2027-03-10,10:00,30\n",
        "A".repeat(MAX_FIELD_CHARS + 1)
    );
    let table = read_csv(long.as_bytes()).unwrap();
    let parsed = parse_csv(
        &table,
        &guess_columns(&table.headers),
        &chrono_tz::UTC,
        "US",
        now(),
    );
    assert!(parsed.rejected[0]
        .reason
        .contains("longer than 2000 characters"));
}

/// A Spanish spreadsheet saved by Excel: Windows-1252, semicolons, "Nombre" and "Apellido".
#[test]
fn a_spanish_windows_1252_export_with_semicolons_is_read() {
    let text = "Nombre;Apellido;Teléfono;Fecha;Hora;Duración;Servicio;Notas\r\n\
                    José;Núñez;612 345 678;14/03/2027;10:30;45;Corte;Llegará tarde\r\n\
                    María;Peña;612 345 679;15/03/2027;17:00;60;Tinte;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let table = read_csv(&bytes).unwrap();
    let columns = guess_columns(&table.headers);
    assert_eq!(columns.client_name, Some(0));
    assert_eq!(columns.last_name, Some(1));
    assert_eq!(columns.phone, Some(2));
    let parsed = parse_csv(&table, &columns, &chrono_tz::Europe::Madrid, "ES", now());
    assert!(parsed.rejected.is_empty(), "{:#?}", parsed.rejected);
    let jose = &parsed.appointments[0];
    assert_eq!(jose.client_name, "José Núñez");
    assert_eq!(jose.phone.as_deref(), Some("+34612345678"));
    assert_eq!(
        jose.starts_at,
        Utc.with_ymd_and_hms(2027, 3, 14, 9, 30, 0).unwrap()
    );
    assert_eq!(jose.ends_at - jose.starts_at, Duration::minutes(45));
    assert_eq!(jose.service.as_deref(), Some("Corte"));
    assert_eq!(jose.notes, "Llegará tarde");
    assert_eq!(parsed.appointments[1].client_name, "María Peña");
}
