//! Reading appointments from booking-system exports: CSV (mapped like client lists) and
//! ICS calendars (VEVENTs with TZID, UTC or floating times, RRULE recurrences, cancellations).
//!
//! Parsing is the `csv`, `icalendar` and `rrule` crates'; what is ours is turning each row or
//! event into an appointment or a reason, in the business's time zone, without guessing.

mod csv;
mod ics;
mod titles;

#[cfg(test)]
mod tests;

pub use csv::{guess_columns, parse_csv, Columns};
pub use ics::{parse_ics, IcsRules};
pub use titles::TitleRule;

use chrono::{DateTime, Duration, Utc};

use crate::appointment::AppointmentStatus;

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
