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

/// How far ahead recurring events are expanded. Later occurrences are reported, and added by a
/// later import (each one rolls the window forward).
pub const RECURRENCE_WINDOW_DAYS: i64 = 90;
/// The longest cell or event text read; longer ones are refused with a reason.
pub const MAX_FIELD_CHARS: usize = 2_000;
/// Appointments further than this from today are taken for a typo in the year.
pub const MAX_YEARS_AWAY: i64 = 10;
/// The longest appointment (as `check_span` enforces), in minutes.
const MAX_MINUTES: i64 = 24 * 60;

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
    /// Where the client, phone and service were read from ("name: attendee · phone: title").
    pub read_from: String,
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
    /// A last-name column, joined to `client_name` (exports that split the name).
    pub last_name: Option<u32>,
    pub phone: Option<u32>,
    pub service: Option<u32>,
    pub staff: Option<u32>,
    pub status: Option<u32>,
    pub external_id: Option<u32>,
    pub notes: Option<u32>,
}

/// Guesses the columns from the header names booking systems export (English and Spanish;
/// accents and case do not matter).
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
    let last_name = find(&["last name", "surname", "lastname", "apellido", "apellidos"]);
    // "Nombre" with "Apellido" beside it is a first name; alone, the whole name.
    let first_name = find(&["first name", "firstname", "given name", "nombre"]);
    let client_name = find(&[
        "client",
        "client name",
        "customer",
        "customer name",
        "name",
        "patient",
        "patient name",
        "full name",
        "cliente",
        "nombre completo",
        "nombre del cliente",
        "paciente",
    ])
    .or(first_name);
    Columns {
        date: find(&[
            "date",
            "appointment date",
            "start date",
            "day",
            "booking date",
            "fecha",
            "fecha de la cita",
            "dia",
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
            "hora",
            "hora de inicio",
            "inicio",
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
            "hora de fin",
            "hora final",
            "fin",
        ]),
        duration_minutes: find(&[
            "duration",
            "duration minutes",
            "duration mins",
            "length",
            "minutes",
            "mins",
            "duracion",
            "duracion minutos",
            "minutos",
        ]),
        client_name,
        last_name: last_name.filter(|_| client_name.is_some()),
        phone: find(&[
            "mobile",
            "mobile phone",
            "customer phone",
            "customer mobile",
            "client phone",
            "client mobile",
            "customer phone number",
            "cell",
            "phone",
            "phone number",
            "mobile number",
            "telephone",
            "tel",
            "movil",
            "celular",
            "telefono movil",
            "telefono",
            "numero de telefono",
        ]),
        service: find(&[
            "service",
            "treatment",
            "appointment type",
            "type",
            "service name",
            "servicio",
            "tratamiento",
            "tipo de cita",
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
            "calendar",
            "personal",
            "profesional",
            "empleado",
            "estilista",
        ]),
        status: find(&["status", "state", "booking status", "estado"]),
        external_id: find(&[
            "id",
            "appointment id",
            "booking id",
            "reference",
            "ref",
            "external id",
            "uid",
            "booking reference",
            "id de la cita",
            "referencia",
        ]),
        notes: find(&[
            "notes",
            "note",
            "comments",
            "comment",
            "notas",
            "nota",
            "comentarios",
        ]),
    }
}

/// An appointment time close enough to today to be meant (else the year is a typo).
fn within_reach(starts_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), String> {
    let reach = Duration::days(366 * MAX_YEARS_AWAY);
    if starts_at < now - reach || starts_at > now + reach {
        return Err(format!(
            "{} is more than {MAX_YEARS_AWAY} years from today; check the year",
            starts_at.format("%Y-%m-%d")
        ));
    }
    Ok(())
}

/// A length in minutes as a file states it, within what an appointment can last.
fn minutes_length(minutes: i64) -> Result<Duration, String> {
    if minutes <= 0 {
        return Err("the length must be more than 0 minutes".into());
    }
    if minutes > MAX_MINUTES {
        return Err(format!(
            "{minutes} minutes is longer than an appointment can be (24 hours)"
        ));
    }
    Ok(Duration::minutes(minutes))
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
    // "14/03/2027 09:00", "3/14/2027 9:00 AM", and Acuity's "March 14, 2027 9:00 am": the
    // date and the time meet at one of the spaces.
    t.char_indices()
        .filter(|(_, c)| *c == ' ')
        .find_map(|(i, _)| {
            let date = parse_date(&t[..i], month_first)?;
            let time = parse_time(&t[i + 1..])?;
            Some(Moment::Local(date.and_time(time)))
        })
}

fn to_instant(m: Moment, zone: &Tz) -> Result<DateTime<Utc>, String> {
    match m {
        Moment::Instant(i) => Ok(i),
        Moment::Local(n) => local_to_utc(n, zone).map_err(|e| e.to_string()),
    }
}

/// Reads appointment rows from a CSV table. Dates like 03/04/2027 are read month-first only
/// for US and Canadian desks.
pub fn parse_csv(
    table: &CsvTable,
    columns: &Columns,
    zone: &Tz,
    region: &str,
    now: DateTime<Utc>,
) -> ParsedFile {
    let month_first = matches!(region, "US" | "CA" | "PH");
    let mut out = ParsedFile::default();
    for row in &table.rows {
        let cell = |c: Option<u32>| -> String {
            c.and_then(|c| row.cells.get(c as usize))
                .cloned()
                .unwrap_or_default()
        };
        let client_name = [cell(columns.client_name), cell(columns.last_name)]
            .into_iter()
            .filter(|part| !part.trim().is_empty())
            .map(|part| part.trim().to_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let label: String = client_name.chars().take(80).collect();
        let reject = |reason: String| RejectedRow {
            row: row.row,
            label: label.clone(),
            reason,
        };
        if let Some(long) = row
            .cells
            .iter()
            .position(|c| c.chars().count() > MAX_FIELD_CHARS)
        {
            out.rejected.push(reject(format!(
                "column {} is longer than {MAX_FIELD_CHARS} characters",
                long + 1
            )));
            continue;
        }
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
        let starts_at = match to_instant(start, zone).and_then(|t| within_reach(t, now).map(|()| t))
        {
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
            let number = minutes_text
                .trim()
                .trim_end_matches("min")
                .trim()
                .parse::<i64>();
            match number.map_err(|_| format!("\"{minutes_text}\" is not a number of minutes")) {
                Ok(m) => match minutes_length(m) {
                    Ok(length) => starts_at + length,
                    Err(reason) => {
                        out.rejected.push(reject(reason));
                        continue;
                    }
                },
                Err(reason) => {
                    out.rejected.push(reject(reason));
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
            read_from: String::new(),
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
            || (matches!(c, '+' | '(') && current.is_empty())
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

/// How an event's title names the appointment, when nothing else says who the client is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum TitleRule {
    /// "Haircut - Maria Lopez": the service, then the client (what most desks type).
    #[default]
    ServiceThenName,
    /// "Maria Lopez - Haircut".
    NameThenService,
    /// The whole title is the client's name.
    NameOnly,
}

/// How to read an iCalendar file's events.
#[derive(Debug, Clone, Copy, Default)]
pub struct IcsRules<'a> {
    pub title: TitleRule,
    /// The desk's services: a title part that names one is the service, whatever the rule.
    pub services: &'a [String],
}

/// Who an event is for, and where each part was read.
#[derive(Debug, Default, Clone)]
struct Who {
    name: String,
    phone: Option<String>,
    service: Option<String>,
    read_from: Vec<String>,
}

/// A "Label: value" line of an event's description ("Client: Ann Lee", "Teléfono: …").
fn described(description: &str, labels: &[&str]) -> Option<String> {
    description.lines().find_map(|line| {
        let (label, value) = line.split_once(':')?;
        let label = crate::import::normalise_header(label);
        let value = value.trim();
        (labels.contains(&label.as_str()) && !value.is_empty()).then(|| value.to_owned())
    })
}

/// Text with a phone number taken out, and the separators left at its ends trimmed.
fn without(text: &str, raw: &str) -> String {
    text.replace(raw, " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| c.is_whitespace() || "-–—,:|·/".contains(c))
        .to_owned()
}

/// Reads the client, phone and service of an event: an ATTENDEE (its CN, a `tel:` address),
/// then "Client:" / "Phone:" / "Service:" lines of the description, then the title by `rules`.
/// A phone is never left inside a name.
fn who(
    summary: &str,
    description: &str,
    attendees: &[icalendar::Property],
    organizer: Option<&str>,
    region: &str,
    rules: &IcsRules<'_>,
) -> Who {
    let mut who = Who::default();
    let mut title = summary.to_owned();
    // Attendees other than the calendar's owner: with `tel:` they give the phone; with a
    // name (CN) the client, when there is exactly one such guest.
    let guests: Vec<&icalendar::Property> = attendees
        .iter()
        .filter(|a| {
            let value = a.value().trim();
            organizer.is_none_or(|o| !value.eq_ignore_ascii_case(o.trim()))
                && a.params().get("ROLE").is_none_or(|r| r.value() != "CHAIR")
        })
        .collect();
    for a in &guests {
        let value = a.value().trim();
        let tel = value
            .strip_prefix("tel:")
            .or_else(|| value.strip_prefix("TEL:"));
        if let Some(phone) = tel.and_then(|t| parse_phone(t, region).ok()) {
            who.phone = Some(phone);
            who.read_from.push("phone: attendee".into());
            if let Some(cn) = a.params().get("CN") {
                who.name = cn.value().trim_matches('"').trim().to_owned();
            }
            break;
        }
    }
    if who.name.is_empty() && guests.len() == 1 {
        if let Some(cn) = guests[0].params().get("CN") {
            who.name = cn.value().trim_matches('"').trim().to_owned();
        }
    }
    if !who.name.is_empty() {
        who.read_from.insert(0, "name: attendee".into());
    }
    if who.name.is_empty() {
        if let Some(name) = described(
            description,
            &[
                "client", "customer", "name", "patient", "cliente", "nombre", "paciente",
            ],
        ) {
            who.name = name;
            who.read_from.insert(0, "name: description".into());
        }
    }
    if who.phone.is_none() {
        let line = described(
            description,
            &[
                "phone",
                "mobile",
                "cell",
                "tel",
                "telephone",
                "telefono",
                "movil",
                "celular",
            ],
        );
        if let Some(phone) = line.and_then(|l| parse_phone(&l, region).ok()) {
            who.phone = Some(phone);
            who.read_from.push("phone: description".into());
        }
    }
    // A number in the title is read (if none was found) and never kept in a name.
    if let Some((phone, raw)) = phone_in_text(&title, region) {
        title = without(&title, &raw);
        if who.phone.is_none() {
            who.phone = Some(phone);
            who.read_from.push("phone: title".into());
        }
    }
    if who.phone.is_none() {
        if let Some((phone, _)) = phone_in_text(description, region) {
            who.phone = Some(phone);
            who.read_from.push("phone: description".into());
        }
    }
    if let Some(service) = described(
        description,
        &["service", "treatment", "servicio", "tratamiento"],
    ) {
        who.service = Some(service);
        who.read_from.push("service: description".into());
    }
    // The title: "Service - Name" (or the rule the desk chose); a part naming one of the
    // desk's services is the service whichever side it is on.
    let parts: Vec<String> = [" - ", " – ", " — ", ": ", " | "]
        .iter()
        .find_map(|sep| {
            let (a, b) = title.split_once(sep)?;
            let (a, b) = (a.trim(), b.trim());
            (!a.is_empty() && !b.is_empty()).then(|| vec![a.to_owned(), b.to_owned()])
        })
        .unwrap_or_else(|| vec![title.clone()]);
    let known = |part: &str| rules.services.iter().any(|s| s.eq_ignore_ascii_case(part));
    let (service_part, name_part) = match (parts.as_slice(), rules.title) {
        ([a, b], _) if known(a) => (Some(a.clone()), b.clone()),
        ([a, b], _) if known(b) => (Some(b.clone()), a.clone()),
        ([a, b], TitleRule::ServiceThenName) => (Some(a.clone()), b.clone()),
        ([a, b], TitleRule::NameThenService) => (Some(b.clone()), a.clone()),
        _ => (None, title.clone()),
    };
    if who.service.is_none() {
        if let Some(service) = service_part.filter(|s| !s.is_empty()) {
            who.service = Some(service);
            who.read_from.push("service: title".into());
        }
    }
    if who.name.is_empty() && !name_part.is_empty() {
        who.name = name_part;
        who.read_from.insert(0, "name: title".into());
    }
    who
}

/// Reads the VEVENTs of an iCalendar file. Recurring events are expanded from `now` over the
/// next [`RECURRENCE_WINDOW_DAYS`]; each occurrence's external id is the UID and its start.
/// Occurrences after the window are reported, to be added by a later import.
pub fn parse_ics(
    bytes: &[u8],
    zone: &Tz,
    region: &str,
    now: DateTime<Utc>,
    rules: &IcsRules<'_>,
) -> Result<ParsedFile, ImportFileError> {
    let text =
        String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned();
    let calendar: icalendar::Calendar = text.parse().map_err(|e: String| {
        ImportFileError::Malformed(e.lines().next().unwrap_or("not iCalendar").to_owned())
    })?;
    let mut out = ParsedFile::default();
    // An event with a RECURRENCE-ID replaces one occurrence of its series (RFC 5545 3.8.4.4):
    // moved, retitled or cancelled. The series leaves that occurrence to it, and it keeps the
    // occurrence's id, so a re-import finds the same booking. Said once, the series' client
    // stands for its replacements that do not name one.
    let mut replaced: std::collections::HashSet<(String, DateTime<Utc>)> =
        std::collections::HashSet::new();
    let mut series_who: std::collections::HashMap<String, Who> = std::collections::HashMap::new();
    for event in calendar.events() {
        let Some(uid) = event.get_uid() else { continue };
        if let Some(DatePerhapsTime::DateTime(at)) = event.get_recurrence_id() {
            if let Ok(at) = ics_instant(&at, zone) {
                replaced.insert((uid.to_owned(), at));
            }
        } else if event.property_value("RRULE").is_some() {
            let attendees = event
                .multi_properties()
                .get("ATTENDEE")
                .cloned()
                .unwrap_or_default();
            let summary = event.get_summary().unwrap_or_default().trim().to_owned();
            let description = event.get_description().unwrap_or_default().to_owned();
            if summary.chars().count() <= MAX_FIELD_CHARS
                && description.chars().count() <= MAX_FIELD_CHARS * 4
            {
                let who = who(
                    &summary,
                    &description,
                    &attendees,
                    event.property_value("ORGANIZER"),
                    region,
                    rules,
                );
                series_who.insert(uid.to_owned(), who);
            }
        }
    }
    for (index, event) in calendar.events().enumerate() {
        let row = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let summary = event.get_summary().unwrap_or_default().trim().to_owned();
        let description = event.get_description().unwrap_or_default().to_owned();
        let label: String = summary.chars().take(80).collect();
        let reject = |reason: String| RejectedRow {
            row,
            label: label.clone(),
            reason,
        };
        if summary.chars().count() > MAX_FIELD_CHARS
            || description.chars().count() > MAX_FIELD_CHARS * 4
        {
            out.rejected.push(reject(format!(
                "the event's title or description is longer than this importer reads ({MAX_FIELD_CHARS} characters for a title)"
            )));
            continue;
        }
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
        let recurring = event.property_value("RRULE");
        if recurring.is_none() {
            if let Err(reason) = within_reach(starts_at, now) {
                out.rejected.push(reject(reason));
                continue;
            }
        } else if starts_at > now + Duration::days(366 * MAX_YEARS_AWAY) {
            out.rejected.push(reject(format!(
                "the series starts {}, more than {MAX_YEARS_AWAY} years from today; check the year",
                starts_at.format("%Y-%m-%d")
            )));
            continue;
        }
        let length = match event.get_end() {
            Some(DatePerhapsTime::DateTime(end)) => match ics_instant(&end, zone) {
                Ok(t) if t > starts_at && t - starts_at <= Duration::minutes(MAX_MINUTES) => {
                    t - starts_at
                }
                Ok(t) if t <= starts_at => {
                    out.rejected
                        .push(reject("the event ends before it starts".into()));
                    continue;
                }
                Ok(_) => {
                    out.rejected.push(reject(
                        "the event is longer than an appointment can be (24 hours)".into(),
                    ));
                    continue;
                }
                Err(reason) => {
                    out.rejected.push(reject(reason));
                    continue;
                }
            },
            _ => match event.property_value("DURATION") {
                None => Duration::hours(1),
                Some(text) => match iso_duration(text) {
                    Some(d) if d > Duration::zero() => d,
                    _ => {
                        out.rejected.push(reject(format!(
                            "the length \"{}\" is not one an appointment can have (up to 24 hours)",
                            text.chars().take(40).collect::<String>()
                        )));
                        continue;
                    }
                },
            },
        };
        if let Err(e) = check_span(starts_at, starts_at + length) {
            out.rejected.push(reject(e.to_string()));
            continue;
        }
        // STATUS says whether the event is firm (CONFIRMED), pencilled in (TENTATIVE) or off
        // (CANCELLED): nothing about whether the customer confirmed. Only their YES does.
        let status = match event
            .property_value("STATUS")
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("CANCELLED") => AppointmentStatus::Cancelled,
            _ => AppointmentStatus::Booked,
        };
        let attendees = event
            .multi_properties()
            .get("ATTENDEE")
            .cloned()
            .unwrap_or_default();
        let organizer = event.property_value("ORGANIZER");
        let mut who = who(&summary, &description, &attendees, organizer, region, rules);
        let replaces = match event.get_recurrence_id() {
            Some(DatePerhapsTime::DateTime(at)) => ics_instant(&at, zone).ok(),
            _ => None,
        };
        if replaces.is_some() && who.phone.is_none() {
            if let Some(series) = series_who.get(&uid) {
                who = Who {
                    read_from: series
                        .read_from
                        .iter()
                        .map(|from| format!("{from} (of the series)"))
                        .collect(),
                    ..series.clone()
                };
            }
        }
        let external_id = match replaces {
            Some(at) => format!("{uid}/{}", at.format("%Y%m%dT%H%M%SZ")),
            None => uid.clone(),
        };
        let base = ParsedAppointment {
            row,
            label: label.clone(),
            client_name: who.name,
            phone: who.phone,
            starts_at,
            ends_at: starts_at + length,
            service: who.service,
            staff: None,
            location: event.get_location().unwrap_or_default().to_owned(),
            notes: description.clone(),
            status,
            external_id: Some(external_id),
            read_from: who.read_from.join(" · "),
        };
        let Some(rule) = recurring else {
            out.appointments.push(base);
            continue;
        };
        match occurrences(&start, rule, event, zone, now) {
            Ok((starts, later)) => {
                for occurrence in starts.iter().copied() {
                    if replaced.contains(&(uid.clone(), occurrence)) {
                        continue;
                    }
                    out.appointments.push(ParsedAppointment {
                        starts_at: occurrence,
                        ends_at: occurrence + length,
                        external_id: Some(format!("{uid}/{}", occurrence.format("%Y%m%dT%H%M%SZ"))),
                        ..base.clone()
                    });
                }
                if let Some(next) = later {
                    let next = next.with_timezone(zone).format("%-d %b %Y");
                    out.rejected.push(reject(if starts.is_empty() {
                        format!(
                            "starts {next}: will be added on a later import (Tidings reads \
                             {RECURRENCE_WINDOW_DAYS} days ahead)"
                        )
                    } else {
                        format!(
                            "repeats beyond the next {RECURRENCE_WINDOW_DAYS} days: occurrences \
                             from {next} will be added on a later import"
                        )
                    }));
                }
            }
            Err(reason) => out.rejected.push(reject(reason)),
        }
    }
    Ok(out)
}

/// An iCalendar DURATION (PT1H30M, PT45M, P1D, P1W) within what an appointment can last;
/// anything else is `None`.
fn iso_duration(text: &str) -> Option<Duration> {
    let t = text.trim().strip_prefix('P')?;
    let (days, time) = t.split_once('T').unwrap_or((t, ""));
    let mut minutes: i64 = 0;
    let mut add = |n: &str, per: i64| -> Option<()> {
        minutes = minutes.checked_add(n.parse::<i64>().ok()?.checked_mul(per)?)?;
        Some(())
    };
    let mut number = String::new();
    for c in days.chars() {
        match c {
            '0'..='9' => number.push(c),
            'W' => add(&std::mem::take(&mut number), 7 * 24 * 60)?,
            'D' => add(&std::mem::take(&mut number), 24 * 60)?,
            _ => return None,
        }
    }
    let mut seconds = String::new();
    for c in time.chars() {
        match c {
            '0'..='9' => number.push(c),
            'H' => add(&std::mem::take(&mut number), 60)?,
            'M' => add(&std::mem::take(&mut number), 1)?,
            'S' => seconds = std::mem::take(&mut number),
            _ => return None,
        }
    }
    if !number.is_empty() || minutes > MAX_MINUTES {
        return None;
    }
    let seconds: i64 = if seconds.is_empty() {
        0
    } else {
        seconds.parse().ok()?
    };
    Some(Duration::minutes(minutes) + Duration::seconds(seconds.min(MAX_MINUTES * 60)))
}

/// A series' starts inside the window, and its first start after it.
type Occurrences = (Vec<DateTime<Utc>>, Option<DateTime<Utc>>);

fn occurrences(
    start: &CalendarDateTime,
    rule: &str,
    event: &icalendar::Event,
    zone: &Tz,
    now: DateTime<Utc>,
) -> Result<Occurrences, String> {
    // A repeat rule is short printable ASCII (RFC 5545 3.3.10); anything else is refused here,
    // before the rule parser sees it (it slices text by bytes and would panic on "BYDAY=TU»").
    if rule.len() > 500 || !rule.chars().all(|c| c.is_ascii_graphic()) {
        return Err(
            "the repeat rule (RRULE) is not one a calendar writes; check the event's repeat".into(),
        );
    }
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
    let within = set.clone().after(from).before(to).all(1000);
    let later = set.after(to).all(1);
    Ok((
        within.dates.iter().map(|d| d.with_timezone(&Utc)).collect(),
        later.dates.first().map(|d| d.with_timezone(&Utc)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let file =
            b"Start,End,Client,Phone\n3/14/2027 9:00 AM,3/14/2027 10:00 AM,Ann,(415) 555-2671\n";
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
}
