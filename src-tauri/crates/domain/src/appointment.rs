//! Appointments: what the desk books, and the time rules that keep them honest across
//! daylight-saving changes.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Confirmed,
    RescheduleRequested,
    Cancelled,
    Completed,
    NoShow,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 6] = [
        Self::Booked,
        Self::Confirmed,
        Self::RescheduleRequested,
        Self::Cancelled,
        Self::Completed,
        Self::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Confirmed => "confirmed",
            Self::RescheduleRequested => "reschedule_requested",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Reads the words booking systems export ("Canceled", "No show", "Attended"...).
    pub fn from_export(text: &str) -> Option<Self> {
        let t: String = crate::import::normalise_header(text).replace(' ', "");
        // Square writes "Accepted" and "Cancelled by seller"/"Cancelled by buyer"; Spanish
        // exports "Reservada", "Cancelada", "No asistió".
        if t.starts_with("cancel") || t.starts_with("anulad") {
            return Some(Self::Cancelled);
        }
        Some(match t.as_str() {
            // "Confirmed" in a booking system's export means the booking is firm, not that the
            // customer answered: read as confirmed, it would take back every reminder asking
            // them. Only their YES confirms (as with a calendar's STATUS:CONFIRMED).
            "" | "booked" | "scheduled" | "pending" | "new" | "tentative" | "accepted"
            | "requested" | "reservada" | "reservado" | "pendiente" | "agendada" | "agendado"
            | "programada" | "programado" | "confirmed" | "confirmada" | "confirmado" => {
                Self::Booked
            }
            "deleted" | "declined" | "rechazada" | "rechazado" => Self::Cancelled,
            "completed" | "done" | "attended" | "checkedout" | "arrived" | "completada"
            | "completado" | "atendida" | "atendido" | "realizada" | "realizado" => Self::Completed,
            "noshow" | "missed" | "dna" | "didnotattend" | "noasistio" | "nosepresento" => {
                Self::NoShow
            }
            "reschedule" | "reschedulerequested" => Self::RescheduleRequested,
            _ => return None,
        })
    }

    /// Still going ahead: reminders may be planned for it.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            Self::Booked | Self::Confirmed | Self::RescheduleRequested
        )
    }
}

/// Where an appointment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum AppointmentSource {
    Desk,
    CsvImport,
    IcsImport,
    Cli,
}

impl AppointmentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Desk => "desk",
            Self::CsvImport => "csv_import",
            Self::IcsImport => "ics_import",
            Self::Cli => "cli",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Desk, Self::CsvImport, Self::IcsImport, Self::Cli]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Appointment {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub client_phone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The IANA zone it was booked in.
    pub timezone: String,
    pub service_id: Option<i64>,
    pub service: Option<String>,
    pub staff_id: Option<i64>,
    pub staff: Option<String>,
    pub location: String,
    pub notes: String,
    pub status: AppointmentStatus,
    pub source: AppointmentSource,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Another live appointment of the same staff member overlaps it (allowed, but flagged).
    pub overlaps: bool,
    /// The customer's answer to "how did it go?": "1"…"5", "yes" or "no".
    #[serde(default)]
    #[ts(optional)]
    pub feedback: Option<String>,
    /// The calendar feed that keeps it up to date, by name ("Google Calendar"); changes are
    /// made there.
    #[serde(default)]
    #[ts(optional)]
    pub feed: Option<String>,
    /// Why its status is what it is when the desk did not set it ("removed from Google
    /// Calendar").
    #[serde(default)]
    #[ts(optional)]
    pub status_note: Option<String>,
    /// Why one of its reminders won't be sent, while one won't ("no consent for appointment
    /// texts"): the calendar flags the appointment. Filled in when appointments are listed for a
    /// range.
    #[serde(default)]
    #[ts(optional)]
    pub reminder_warning: Option<String>,
}

/// A booking or a change to one, as the desk makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppointmentInput {
    pub client_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[ts(optional)]
    pub service_id: Option<i64>,
    #[ts(optional)]
    pub staff_id: Option<i64>,
    #[ts(optional)]
    pub location: Option<String>,
    #[ts(optional)]
    pub notes: Option<String>,
}

/// A service the business offers, with its usual length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Service {
    pub id: i64,
    pub name: String,
    pub minutes: u32,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("The appointment ends before it starts.")]
    EndBeforeStart,
    #[error("An appointment can't be longer than 24 hours.")]
    TooLong,
    #[error("{local} does not exist in {zone}: the clocks jump forward then. Pick a time outside the jump.")]
    Nonexistent { local: String, zone: String },
}

/// Checks a start and end.
pub fn check_span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<(), TimeError> {
    if ends_at <= starts_at {
        return Err(TimeError::EndBeforeStart);
    }
    if ends_at - starts_at > chrono::Duration::hours(24) {
        return Err(TimeError::TooLong);
    }
    Ok(())
}

/// A wall-clock time in `zone` as an instant. A time the clocks skip (02:30 on a
/// spring-forward day) is refused, not guessed; a time that happens twice (01:30 on a
/// fall-back day) is read as the first, the one before the clocks go back.
pub fn local_to_utc(
    local: NaiveDateTime,
    zone: &chrono_tz::Tz,
) -> Result<DateTime<Utc>, TimeError> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(TimeError::Nonexistent {
            local: local.format("%Y-%m-%d %H:%M").to_string(),
            zone: zone.name().to_owned(),
        }),
    }
}

/// Whether two spans share any time (touching ends do not overlap).
pub fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::{America::New_York, Europe::Berlin, Europe::London};

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn nine_oclock_on_transition_days_is_nine_oclock() {
        // US spring forward 2027-03-14: EDT (UTC-4) from 02:00.
        assert_eq!(
            local_to_utc(at(2027, 3, 14, 9, 0), &New_York).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 14, 13, 0, 0).unwrap()
        );
        // US fall back 2027-11-07: EST (UTC-5) from 02:00.
        assert_eq!(
            local_to_utc(at(2027, 11, 7, 9, 0), &New_York).unwrap(),
            Utc.with_ymd_and_hms(2027, 11, 7, 14, 0, 0).unwrap()
        );
        // EU spring forward 2027-03-28: BST (UTC+1) / CEST (UTC+2).
        assert_eq!(
            local_to_utc(at(2027, 3, 28, 9, 0), &London).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 28, 8, 0, 0).unwrap()
        );
        assert_eq!(
            local_to_utc(at(2027, 3, 28, 9, 0), &Berlin).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 28, 7, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_skipped_time_is_refused_and_a_repeated_one_is_the_first() {
        let err = local_to_utc(at(2027, 3, 14, 2, 30), &New_York).unwrap_err();
        assert!(matches!(err, TimeError::Nonexistent { .. }));
        assert!(err.to_string().contains("2027-03-14 02:30"), "{err}");
        assert!(local_to_utc(at(2027, 3, 28, 1, 30), &London).is_err());
        // 01:30 happens twice on 2027-11-07 in New York: EDT first (05:30 UTC).
        assert_eq!(
            local_to_utc(at(2027, 11, 7, 1, 30), &New_York).unwrap(),
            Utc.with_ymd_and_hms(2027, 11, 7, 5, 30, 0).unwrap()
        );
    }

    #[test]
    fn spans_and_overlaps() {
        let t = |h| Utc.with_ymd_and_hms(2027, 1, 1, h, 0, 0).unwrap();
        assert_eq!(check_span(t(10), t(9)), Err(TimeError::EndBeforeStart));
        assert_eq!(check_span(t(10), t(10)), Err(TimeError::EndBeforeStart));
        assert!(check_span(t(9), t(10)).is_ok());
        assert!(overlaps((t(9), t(11)), (t(10), t(12))));
        assert!(!overlaps((t(9), t(10)), (t(10), t(11))));
    }

    #[test]
    fn export_status_words_are_understood() {
        assert_eq!(
            AppointmentStatus::from_export("Canceled"),
            Some(AppointmentStatus::Cancelled)
        );
        assert_eq!(
            AppointmentStatus::from_export("No-Show"),
            Some(AppointmentStatus::NoShow)
        );
        assert_eq!(
            AppointmentStatus::from_export(""),
            Some(AppointmentStatus::Booked)
        );
        assert_eq!(AppointmentStatus::from_export("maybe later"), None);
    }
}
