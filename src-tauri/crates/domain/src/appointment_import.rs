//! Reading appointments from booking-system exports: CSV (mapped like client lists) and
//! ICS calendars (VEVENTs with TZID, UTC or floating times, RRULE recurrences, cancellations).
//!
//! Parsing is the `csv`, `icalendar` and `rrule` crates'; what is ours is turning each row or
//! event into an appointment or a reason, in the business's time zone, without guessing.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventLike};

use crate::appointment::{check_span, local_to_utc, AppointmentStatus};
use crate::import::{normalise_header, CsvTable, ImportFileError};
use crate::phone::parse_phone;

/// How far ahead recurring events are expanded.
pub const RECURRENCE_WINDOW_DAYS: i64 = 90;

/// One appointment read from a file, before matching it to what the desk has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAppointment {
    pub row: u32,
    /// Client name (CSV) or event summary (ICS).
    pub label: String,
    pub client_name: String,
    /// E.164, when the row or event has a usable number.
    pub phone: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub service: Option<String>,
    pub staff: Option<String>,
    pub location: String,
    pub notes: String,
    pub status: AppointmentStatus,
    pub external_id: Option<String>,
}

/// A row or event that can't become an appointment, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub row: u32,
    pub label: String,
    pub reason: String,
}

/// Everything a file yielded, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedFile {
    pub appointments: Vec<ParsedAppointment>,
    pub rejected: Vec<RejectedRow>,
}

/// Whether the bytes are an iCalendar file (else they are read as CSV).
pub fn is_ics(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    text[start..].starts_with(b"BEGIN:VCALENDAR")
}

/// Which column holds each field (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Columns {
    pub date: Option<u32>,
    pub start_time: Option<u32>,
    pub end_time: Option<u32>,
    pub duration_minutes: Option<u32>,
    pub client_name: Option<u32>,
    pub phone: Option<u32>,
    pub service: Option<u32>,
    pub staff: Option<u32>,
    pub status: Option<u32>,
    pub external_id: Option<u32>,
    pub notes: Option<u32>,
}

/// Guesses the columns from the header names booking systems export.
pub fn guess_columns(headers: &[String]) -> Columns {
    let names: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let find = |candidates: &[&str]| -> Option<u32> {
        candidates.iter().find_map(|c| {
            names
                .iter()
                .position(|n| n == c)
                .and_then(|i| u32::try_from(i).ok())
        })
    };
    Columns {
        date: find(&[
            "date",
            "appointment date",
            "start date",
            "day",
            "booking date",
        ]),
        start_time: find(&[
            "start time",
            "time",
            "start",
            "starts",
            "from",
            "starts at",
            "start date time",
            "start datetime",
            "appointment time",
        ]),
        end_time: find(&[
            "end time",
            "end",
            "ends",
            "to",
            "finish",
            "ends at",
            "end date time",
            "end datetime",
        ]),
        duration_minutes: find(&[
            "duration",
            "duration minutes",
            "duration mins",
            "length",
            "minutes",
            "mins",
        ]),
        client_name: find(&[
            "client",
            "client name",
            "customer",
            "customer name",
            "name",
            "patient",
            "patient name",
            "full name",
        ]),
        phone: find(&[
            "mobile",
            "mobile phone",
            "cell",
            "phone",
            "phone number",
            "mobile number",
            "telephone",
            "tel",
        ]),
        service: find(&[
            "service",
            "treatment",
            "appointment type",
            "type",
            "service name",
        ]),
        staff: find(&[
            "staff",
            "staff member",
            "stylist",
            "provider",
            "practitioner",
            "employee",
            "with",
            "therapist",
            "resource",
        ]),
        status: find(&["status", "state", "booking status"]),
        external_id: find(&[
            "id",
            "appointment id",
            "booking id",
            "reference",
            "ref",
            "external id",
            "uid",
            "booking reference",
        ]),
        notes: find(&["notes", "note", "comments", "comment"]),
    }
}

fn parse_date(text: &str, month_first: bool) -> Option<NaiveDate> {
    let text = text.trim();
    let slash = if month_first {
        ["%m/%d/%Y", "%m/%d/%y"]
    } else {
        ["%d/%m/%Y", "%d/%m/%y"]
    };
    [
        "%Y-%m-%d",
        slash[0],
        slash[1],
        "%d.%m.%Y",
        "%d-%m-%Y",
        "%Y/%m/%d",
        "%d %b %Y",
        "%d %B %Y",
        "%b %d, %Y",
        "%B %d, %Y",
    ]
    .iter()
    .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim().to_uppercase().replace('.', ":");
    [
        "%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p", "%I%p", "%H%M",
    ]
    .iter()
    .find_map(|f| NaiveTime::parse_from_str(&t, f).ok())
}

/// A date-and-time cell: an instant when it carries an offset, else a wall-clock time.
enum Moment {
    Instant(DateTime<Utc>),
    Local(NaiveDateTime),
}

fn parse_moment(text: &str, month_first: bool) -> Option<Moment> {
    let t = text.trim();
    if let Ok(i) = DateTime::parse_from_rfc3339(t) {
        return Some(Moment::Instant(i.with_timezone(&Utc)));
    }
    for f in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Some(Moment::Local(n));
        }
    }
    // "14/03/2027 09:00", "3/14/2027 9:00 AM"
    let (date, time) = t.split_once(' ')?;
    Some(Moment::Local(
        parse_date(date, month_first)?.and_time(parse_time(time)?),
    ))
}

fn to_instant(m: Moment, zone: &Tz) -> Result<DateTime<Utc>, String> {
    match m {
        Moment::Instant(i) => Ok(i),
        Moment::Local(n) => local_to_utc(n, zone).map_err(|e| e.to_string()),
    }
}

/// Reads appointment rows from a CSV table. Dates like 03/04/2027 are read month-first only
/// for US and Canadian desks.
pub fn parse_csv(table: &CsvTable, columns: &Columns, zone: &Tz, region: &str) -> ParsedFile {
    let month_first = matches!(region, "US" | "CA" | "PH");
    let mut out = ParsedFile::default();
    for row in &table.rows {
        let cell = |c: Option<u32>| -> String {
            c.and_then(|c| row.cells.get(c as usize))
                .cloned()
                .unwrap_or_default()
        };
        let client_name = cell(columns.client_name);
        let reject = |reason: String| RejectedRow {
            row: row.row,
            label: client_name.clone(),
            reason,
        };
        let start = match (columns.date, columns.start_time) {
            (Some(_), Some(_)) => {
                let (d, t) = (cell(columns.date), cell(columns.start_time));
                match (parse_date(&d, month_first), parse_time(&t)) {
                    (Some(d), Some(t)) => Some(Moment::Local(d.and_time(t))),
                    (None, _) => {
                        out.rejected.push(reject(format!("\"{d}\" is not a date")));
                        continue;
                    }
                    (_, None) => parse_moment(&t, month_first).or_else(|| {
                        out.rejected.push(reject(format!("\"{t}\" is not a time")));
                        None
                    }),
                }
            }
            (None, Some(_)) | (Some(_), None) => {
                let t = cell(columns.start_time.or(columns.date));
                parse_moment(&t, month_first).or_else(|| {
                    out.rejected
                        .push(reject(format!("\"{t}\" is not a date and time")));
                    None
                })
            }
            (None, None) => {
                out.rejected
                    .push(reject("no column is mapped to the start".into()));
                continue;
            }
        };
        let Some(start) = start else { continue };
        let starts_at = match to_instant(start, zone) {
            Ok(t) => t,
            Err(reason) => {
                out.rejected.push(reject(reason));
                continue;
            }
        };
        let end_text = cell(columns.end_time);
        let minutes_text = cell(columns.duration_minutes);
        let ends_at = if !end_text.is_empty() {
            let local_start = starts_at.with_timezone(zone).naive_local();
            let end = parse_time(&end_text)
                .map(|t| Moment::Local(local_start.date().and_time(t)))
                .or_else(|| parse_moment(&end_text, month_first));
            match end.map(|m| to_instant(m, zone)) {
                Some(Ok(t)) => t,
                Some(Err(reason)) => {
                    out.rejected.push(reject(reason));
                    continue;
                }
                None => {
                    out.rejected
                        .push(reject(format!("\"{end_text}\" is not an end time")));
                    continue;
                }
            }
        } else if !minutes_text.is_empty() {
            match minutes_text
                .trim()
                .trim_end_matches("min")
                .trim()
                .parse::<i64>()
            {
                Ok(m) if m > 0 => starts_at + Duration::minutes(m),
                _ => {
                    out.rejected.push(reject(format!(
                        "\"{minutes_text}\" is not a number of minutes"
                    )));
                    continue;
                }
            }
        } else {
            out.rejected.push(reject("no end time or duration".into()));
            continue;
        };
        if let Err(e) = check_span(starts_at, ends_at) {
            out.rejected.push(reject(e.to_string()));
            continue;
        }
        let status_text = cell(columns.status);
        let Some(status) = AppointmentStatus::from_export(&status_text) else {
            out.rejected
                .push(reject(format!("\"{status_text}\" is not a status we know")));
            continue;
        };
        let phone_text = cell(columns.phone);
        let phone = if phone_text.is_empty() {
            None
        } else {
            match parse_phone(&phone_text, region) {
                Ok(p) => Some(p),
                Err(e) => {
                    out.rejected.push(reject(e.to_string()));
                    continue;
                }
            }
        };
        let non_empty = |s: String| Some(s).filter(|s| !s.is_empty());
        out.appointments.push(ParsedAppointment {
            row: row.row,
            label: client_name.clone(),
            client_name,
            phone,
            starts_at,
            ends_at,
            service: non_empty(cell(columns.service)),
            staff: non_empty(cell(columns.staff)),
            location: String::new(),
            notes: cell(columns.notes),
            status,
            external_id: non_empty(cell(columns.external_id)),
        });
    }
    out
}

/// The first phone number in free text ("Cut & colour – Ann 07400 123456").
fn phone_in_text(text: &str, region: &str) -> Option<(String, String)> {
    let mut candidates = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit()
            || (matches!(c, '+' | ' ' | '-' | '(' | ')' | '.') && !current.is_empty())
            || (c == '+' && current.is_empty())
        {
            current.push(c);
        } else {
            if current.chars().filter(char::is_ascii_digit).count() >= 7 {
                candidates.push(current.trim().to_owned());
            }
            current.clear();
        }
    }
    candidates
        .into_iter()
        .find_map(|c| parse_phone(&c, region).ok().map(|p| (p, c)))
}

fn ics_instant(value: &CalendarDateTime, zone: &Tz) -> Result<DateTime<Utc>, String> {
    match value {
        CalendarDateTime::Utc(t) => Ok(*t),
        CalendarDateTime::Floating(n) => local_to_utc(*n, zone).map_err(|e| e.to_string()),
        CalendarDateTime::WithTimezone { date_time, tzid } => {
            let tz = ics_zone(tzid).ok_or_else(|| format!("unknown time zone \"{tzid}\""))?;
            local_to_utc(*date_time, &tz).map_err(|e| e.to_string())
        }
    }
}

/// An IANA zone from a TZID, including the "/vendor/…/Europe/London" forms some calendars use.
fn ics_zone(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_matches('"');
    tzid.parse::<Tz>().ok().or_else(|| {
        let parts: Vec<&str> = tzid.split('/').collect();
        (0..parts.len()).find_map(|i| parts[i..].join("/").parse::<Tz>().ok())
    })
}

/// Reads the VEVENTs of an iCalendar file. Recurring events are expanded from `now` over the
/// next [`RECURRENCE_WINDOW_DAYS`]; each occurrence's external id is the UID and its start.
pub fn parse_ics(
    bytes: &[u8],
    zone: &Tz,
    region: &str,
    now: DateTime<Utc>,
) -> Result<ParsedFile, ImportFileError> {
    let text =
        String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned();
    let calendar: icalendar::Calendar = text.parse().map_err(|e: String| {
        ImportFileError::Malformed(e.lines().next().unwrap_or("not iCalendar").to_owned())
    })?;
    let mut out = ParsedFile::default();
    for (index, event) in calendar.events().enumerate() {
        let row = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let summary = event.get_summary().unwrap_or_default().trim().to_owned();
        let description = event.get_description().unwrap_or_default().to_owned();
        let reject = |reason: String| RejectedRow {
            row,
            label: summary.clone(),
            reason,
        };
        let Some(uid) = event.get_uid().map(str::to_owned) else {
            out.rejected.push(reject(
                "the event has no UID, so a re-import could not find it again".into(),
            ));
            continue;
        };
        let start = match event.get_start() {
            Some(DatePerhapsTime::DateTime(dt)) => dt,
            Some(DatePerhapsTime::Date(_)) => {
                out.rejected
                    .push(reject("an all-day event has no appointment time".into()));
                continue;
            }
            None => {
                out.rejected
                    .push(reject("the event has no start (DTSTART)".into()));
                continue;
            }
        };
        let starts_at = match ics_instant(&start, zone) {
            Ok(t) => t,
            Err(reason) => {
                out.rejected.push(reject(reason));
                continue;
            }
        };
        let length = match event.get_end() {
            Some(DatePerhapsTime::DateTime(end)) => match ics_instant(&end, zone) {
                Ok(t) => t - starts_at,
                Err(reason) => {
                    out.rejected.push(reject(reason));
                    continue;
                }
            },
            _ => match event.property_value("DURATION").and_then(iso_duration) {
                Some(d) => d,
                None => Duration::hours(1),
            },
        };
        if let Err(e) = check_span(starts_at, starts_at + length) {
            out.rejected.push(reject(e.to_string()));
            continue;
        }
        let status = match event
            .property_value("STATUS")
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("CANCELLED") => AppointmentStatus::Cancelled,
            Some("CONFIRMED") => AppointmentStatus::Confirmed,
            _ => AppointmentStatus::Booked,
        };
        // The client: an ATTENDEE with tel:, else a number in the summary or description.
        let attendees = event
            .multi_properties()
            .get("ATTENDEE")
            .cloned()
            .unwrap_or_default();
        let attendee = attendees.iter().find_map(|a| {
            let value = a.value().trim();
            let tel = value
                .strip_prefix("tel:")
                .or_else(|| value.strip_prefix("TEL:"))?;
            let phone = parse_phone(tel, region).ok()?;
            let name = a
                .params()
                .get("CN")
                .map(|p| p.value().trim_matches('"').to_owned());
            Some((phone, name))
        });
        let (phone, client_name) = match attendee {
            Some((phone, Some(name))) => (Some(phone), name),
            Some((phone, None)) => (Some(phone), summary.clone()),
            None => match phone_in_text(&summary, region)
                .or_else(|| phone_in_text(&description, region))
            {
                Some((phone, raw)) => {
                    let name = summary.replace(&raw, "");
                    let name =
                        name.trim_matches(|c: char| c.is_whitespace() || "-–—,:|·".contains(c));
                    (
                        Some(phone),
                        if name.is_empty() {
                            summary.clone()
                        } else {
                            name.to_owned()
                        },
                    )
                }
                None => (None, summary.clone()),
            },
        };
        let base = ParsedAppointment {
            row,
            label: summary.clone(),
            client_name,
            phone,
            starts_at,
            ends_at: starts_at + length,
            service: None,
            staff: None,
            location: event.get_location().unwrap_or_default().to_owned(),
            notes: description.clone(),
            status,
            external_id: Some(uid.clone()),
        };
        let Some(rule) = event.property_value("RRULE") else {
            out.appointments.push(base);
            continue;
        };
        match occurrences(&start, rule, event, zone, now) {
            Ok(starts) => {
                for occurrence in starts {
                    out.appointments.push(ParsedAppointment {
                        starts_at: occurrence,
                        ends_at: occurrence + length,
                        external_id: Some(format!("{uid}/{}", occurrence.format("%Y%m%dT%H%M%SZ"))),
                        ..base.clone()
                    });
                }
            }
            Err(reason) => out.rejected.push(reject(reason)),
        }
    }
    Ok(out)
}

fn iso_duration(text: &str) -> Option<Duration> {
    // PT1H30M, PT45M, P1D
    let t = text.trim().strip_prefix('P')?;
    let (days, time) = t.split_once('T').unwrap_or((t, ""));
    let mut total = Duration::zero();
    if let Some(d) = days.strip_suffix('D') {
        total += Duration::days(d.parse().ok()?);
    }
    let mut number = String::new();
    for c in time.chars() {
        match c {
            '0'..='9' => number.push(c),
            'H' => total += Duration::hours(std::mem::take(&mut number).parse().ok()?),
            'M' => total += Duration::minutes(std::mem::take(&mut number).parse().ok()?),
            'S' => total += Duration::seconds(std::mem::take(&mut number).parse().ok()?),
            _ => return None,
        }
    }
    Some(total)
}

fn occurrences(
    start: &CalendarDateTime,
    rule: &str,
    event: &icalendar::Event,
    zone: &Tz,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, String> {
    let (local, tz) = match start {
        CalendarDateTime::Utc(t) => (t.naive_utc(), chrono_tz::UTC),
        CalendarDateTime::Floating(n) => (*n, *zone),
        CalendarDateTime::WithTimezone { date_time, tzid } => (
            *date_time,
            ics_zone(tzid).ok_or_else(|| format!("unknown time zone \"{tzid}\""))?,
        ),
    };
    let mut spec = format!(
        "DTSTART;TZID={}:{}\nRRULE:{}",
        tz.name(),
        local.format("%Y%m%dT%H%M%S"),
        rule
    );
    // EXDATEs in UTC are moved into the rule's zone, so one TZID covers them all.
    let exdates = event
        .multi_properties()
        .get("EXDATE")
        .into_iter()
        .flatten()
        .map(|p| p.value().to_owned())
        .chain(event.property_value("EXDATE").map(str::to_owned));
    for value in exdates {
        for one in value.split(',') {
            let local = match one.strip_suffix('Z') {
                Some(utc) => NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
                    .ok()
                    .map(|n| n.and_utc().with_timezone(&tz).naive_local()),
                None => NaiveDateTime::parse_from_str(one, "%Y%m%dT%H%M%S").ok(),
            };
            if let Some(local) = local {
                spec.push_str(&format!(
                    "\nEXDATE;TZID={}:{}",
                    tz.name(),
                    local.format("%Y%m%dT%H%M%S")
                ));
            }
        }
    }
    let set: rrule::RRuleSet = spec
        .parse()
        .map_err(|e: rrule::RRuleError| format!("the repeat rule can't be read: {e}"))?;
    let rtz = rrule::Tz::Tz(tz);
    let from = now.with_timezone(&rtz) - Duration::seconds(1);
    let to = (now + Duration::days(RECURRENCE_WINDOW_DAYS)).with_timezone(&rtz);
    let result = set.after(from).before(to).all(1000);
    Ok(result.dates.iter().map(|d| d.with_timezone(&Utc)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let parsed = parse_csv(&table, &columns, &chrono_tz::Europe::London, "GB");
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
        let file =
            b"Start,End,Client,Phone\n3/14/2027 9:00 AM,3/14/2027 10:00 AM,Ann,(415) 555-2671\n";
        let table = read_csv(file).unwrap();
        let parsed = parse_csv(
            &table,
            &guess_columns(&table.headers),
            &chrono_tz::America::New_York,
            "US",
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
        let parsed = parse_ics(ics, &chrono_tz::America::New_York, "US", now()).unwrap();
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
                now()
            ),
            Err(ImportFileError::Malformed(_))
        ));
    }
}
