//! Quiet hours: the hours of the recipient's local day in which nothing is sent.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::ValidationError;

/// The part of the night quiet hours must always cover (in the recipient's own time), however
/// a desk sets them: "never texts at night" is a promise, not a default.
const NIGHT: (u32, u32) = (22, 7);

/// The hours of the recipient's local day in which no text is sent (`start` to `end`,
/// wrapping past midnight when `start` is later than `end`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuietHours {
    /// "HH:MM", 24-hour, recipient's local time.
    pub start: String,
    /// "HH:MM", 24-hour, recipient's local time.
    pub end: String,
}

impl Default for QuietHours {
    fn default() -> Self {
        Self {
            start: "21:00".to_owned(),
            end: "08:00".to_owned(),
        }
    }
}

impl QuietHours {
    /// Parses "21:00-08:00" (the command-line form).
    pub fn parse_range(text: &str) -> Result<Self, ValidationError> {
        let (start, end) = text
            .split_once('-')
            .ok_or_else(|| ValidationError::BadTimeOfDay(text.to_owned()))?;
        Self::new(start, end)
    }

    pub fn new(start: &str, end: &str) -> Result<Self, ValidationError> {
        let start = parse_time_of_day(start)?;
        let end = parse_time_of_day(end)?;
        if start == end {
            return Err(ValidationError::EmptyQuietHours);
        }
        Ok(Self {
            start: start.format("%H:%M").to_string(),
            end: end.format("%H:%M").to_string(),
        })
    }

    /// Refuses quiet hours that would let a text go between 22:00 and 07:00, naming the first
    /// such minute ("00:00-23:59" leaves 23:59; a swapped "08:00-21:00" leaves the night).
    pub fn covers_the_night(&self) -> Result<(), ValidationError> {
        let from = NaiveTime::from_hms_opt(NIGHT.0, 0, 0).unwrap_or_default();
        let minutes = (24 - NIGHT.0 + NIGHT.1) * 60;
        for minute in 0..minutes {
            let at = from + chrono::Duration::minutes(i64::from(minute));
            if !self.contains(at)? {
                return Err(ValidationError::QuietHoursLeaveNight {
                    start: self.start.clone(),
                    end: self.end.clone(),
                    at: at.format("%H:%M").to_string(),
                });
            }
        }
        Ok(())
    }

    /// Whether `local` (a wall-clock time in the recipient's zone) falls in the quiet hours.
    pub fn contains(&self, local: NaiveTime) -> Result<bool, ValidationError> {
        let start = parse_time_of_day(&self.start)?;
        let end = parse_time_of_day(&self.end)?;
        Ok(if start < end {
            local >= start && local < end
        } else {
            local >= start || local < end
        })
    }
}

fn parse_time_of_day(text: &str) -> Result<NaiveTime, ValidationError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| ValidationError::BadTimeOfDay(text.trim().to_owned()))
}
