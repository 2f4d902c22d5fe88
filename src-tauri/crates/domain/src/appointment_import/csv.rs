//! CSV exports: which column holds what, and each row read into an appointment or a reason.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use super::{
    within_reach, ParsedAppointment, ParsedFile, RejectedRow, MAX_FIELD_CHARS, MAX_MINUTES,
};
use crate::appointment::{check_span, local_to_utc, AppointmentStatus};
use crate::import::{normalise_header, CsvTable};
use crate::phone::parse_phone;

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
