//! When reminders go out. Pure: an appointment, the rules, the recipient's allowed hours and
//! the current time in; planned sends and suppressions (with reasons) out.
//!
//! The rule for quiet hours: a send time that falls in quiet hours (or on a Sunday when Sundays
//! are off) moves *later*, to the moment texting is allowed again, if that is still at least the
//! rule's minimum lead before the appointment; otherwise it moves *earlier*, to the last allowed
//! minute before it. It never moves past the appointment's start, and never before now.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::appointment::local_to_utc;
use crate::settings::QuietHours;

/// A reminder rule as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleTiming {
    pub rule_id: i64,
    /// How long before the start it is meant to go.
    pub offset_minutes: u32,
    /// It is useless later than this before the start.
    pub min_lead_minutes: u32,
}

/// When texting is allowed, in the recipient's own zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHours {
    pub quiet: QuietHours,
    pub no_sundays: bool,
    pub zone: Tz,
}

/// Why a text is not sent. Shown to staff next to the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum SuppressReason {
    /// Booked (or moved) too close to the appointment for this reminder to help.
    TooLate,
    /// No allowed hour between now and the latest useful time.
    QuietHoursMissed,
    NoConsent,
    OptedOut,
    Cap,
    AppointmentCancelled,
    AppointmentMoved,
    AlreadyConfirmed,
    /// The app was closed past the send time and it is no longer useful.
    MissedWhileClosed,
    InvalidNumber,
    StaffCancelled,
    RuleDisabled,
    /// The client's number changed after the text was planned (planned again for the new one).
    NumberChanged,
    /// The client was archived.
    ClientArchived,
    /// The same reminder had already gone to the provider (found when a backup was restored).
    Superseded,
    /// Its text gives the business phone and none is set.
    NoBusinessPhone,
}

impl SuppressReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooLate => "too_late",
            Self::QuietHoursMissed => "quiet_hours_missed",
            Self::NoConsent => "no_consent",
            Self::OptedOut => "opted_out",
            Self::Cap => "cap",
            Self::AppointmentCancelled => "appointment_cancelled",
            Self::AppointmentMoved => "appointment_moved",
            Self::AlreadyConfirmed => "already_confirmed",
            Self::MissedWhileClosed => "missed_while_closed",
            Self::InvalidNumber => "invalid_number",
            Self::StaffCancelled => "staff_cancelled",
            Self::RuleDisabled => "rule_disabled",
            Self::NumberChanged => "number_changed",
            Self::ClientArchived => "client_archived",
            Self::Superseded => "superseded",
            Self::NoBusinessPhone => "no_business_phone",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::TooLate,
            Self::QuietHoursMissed,
            Self::NoConsent,
            Self::OptedOut,
            Self::Cap,
            Self::AppointmentCancelled,
            Self::AppointmentMoved,
            Self::AlreadyConfirmed,
            Self::MissedWhileClosed,
            Self::InvalidNumber,
            Self::StaffCancelled,
            Self::RuleDisabled,
            Self::NumberChanged,
            Self::ClientArchived,
            Self::Superseded,
            Self::NoBusinessPhone,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }

    /// In words, for the Reminders screen.
    pub fn describe(self) -> &'static str {
        match self {
            Self::TooLate => "booked too close to the appointment for this reminder",
            Self::QuietHoursMissed => "no allowed hour left before the appointment",
            Self::NoConsent => "no consent for appointment texts",
            Self::OptedOut => "the client opted out",
            Self::Cap => "the client already had the most texts allowed",
            Self::AppointmentCancelled => "the appointment was cancelled",
            Self::AppointmentMoved => "the appointment moved (a new reminder is planned)",
            Self::AlreadyConfirmed => "the client already confirmed",
            Self::MissedWhileClosed => {
                "Tidings was closed at the send time and it was too late to send"
            }
            Self::InvalidNumber => "the number can't receive texts",
            Self::StaffCancelled => "skipped by staff",
            Self::RuleDisabled => "the reminder rule was turned off",
            Self::NumberChanged => "the client's number changed (planned again for the new one)",
            Self::ClientArchived => "the client was archived",
            Self::Superseded => "the same reminder had already gone to the provider",
            Self::NoBusinessPhone => {
                "its text gives the business phone and none is set: add it in Settings"
            }
        }
    }
}

/// One rule's outcome for one appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planned {
    Send {
        rule_id: i64,
        send_at: DateTime<Utc>,
    },
    Suppress {
        rule_id: i64,
        reason: SuppressReason,
    },
}

impl AllowedHours {
    /// Whether a text may go at `at`.
    pub fn allows(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.zone);
        if self.no_sundays && local.weekday() == Weekday::Sun {
            return false;
        }
        !self.quiet.contains(local.time()).unwrap_or(true)
    }

    fn at(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        // A boundary inside a skipped hour falls at the end of the jump.
        local_to_utc(date.and_time(time), &self.zone)
            .or_else(|_| local_to_utc(date.and_time(time) + Duration::hours(1), &self.zone))
            .ok()
    }

    fn bounds(&self) -> Option<(NaiveTime, NaiveTime)> {
        Some((
            NaiveTime::parse_from_str(&self.quiet.start, "%H:%M").ok()?,
            NaiveTime::parse_from_str(&self.quiet.end, "%H:%M").ok()?,
        ))
    }

    /// The first allowed moment after `from` (within a week).
    pub fn next_allowed(&self, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.allows(from) {
            return Some(from);
        }
        let (_, opens) = self.bounds()?;
        let day = from.with_timezone(&self.zone).date_naive();
        (-1..=8)
            .filter_map(|d| self.at(day + Duration::days(d), opens))
            .filter(|t| *t > from && self.allows(*t))
            .min()
    }

    /// The last allowed minute before `before` (within a week).
    pub fn last_allowed(&self, before: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (closes, _) = self.bounds()?;
        let day = before.with_timezone(&self.zone).date_naive();
        let mut candidates: Vec<DateTime<Utc>> = (-8..=1)
            .filter_map(|d| self.at(day + Duration::days(d), closes))
            .map(|t| t - Duration::minutes(1))
            .filter(|t| *t < before && self.allows(*t))
            .collect();
        // Sundays off: the end of Saturday is 23:59 when Saturday evening is not quiet.
        if self.no_sundays {
            candidates.extend(
                (-8..=1)
                    .map(|d| day + Duration::days(d))
                    .filter(|d| d.weekday() == Weekday::Sun)
                    .filter_map(|d| self.at(d, NaiveTime::MIN))
                    .map(|t| t - Duration::minutes(1))
                    .filter(|t| *t < before && self.allows(*t)),
            );
        }
        candidates.into_iter().max()
    }
}

/// Plans every rule for one live appointment.
pub fn plan_reminders(
    starts_at: DateTime<Utc>,
    rules: &[RuleTiming],
    hours: &AllowedHours,
    now: DateTime<Utc>,
) -> Vec<Planned> {
    rules
        .iter()
        .map(|rule| {
            let target = starts_at - Duration::minutes(i64::from(rule.offset_minutes));
            let latest = starts_at - Duration::minutes(i64::from(rule.min_lead_minutes));
            let suppress = |reason| Planned::Suppress {
                rule_id: rule.rule_id,
                reason,
            };
            if latest <= now {
                return suppress(SuppressReason::TooLate);
            }
            let candidate = target.max(now);
            let send_at = hours
                .next_allowed(candidate)
                .filter(|t| *t <= latest)
                .or_else(|| hours.last_allowed(candidate).filter(|t| *t >= now));
            match send_at {
                Some(send_at) if send_at < starts_at => Planned::Send {
                    rule_id: rule.rule_id,
                    send_at,
                },
                _ => suppress(SuppressReason::QuietHoursMissed),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn hours(zone: Tz, start: &str, end: &str, no_sundays: bool) -> AllowedHours {
        AllowedHours {
            quiet: QuietHours::new(start, end).unwrap(),
            no_sundays,
            zone,
        }
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    const DAY: RuleTiming = RuleTiming {
        rule_id: 1,
        offset_minutes: 24 * 60,
        min_lead_minutes: 4 * 60,
    };
    const TWO_HOURS: RuleTiming = RuleTiming {
        rule_id: 2,
        offset_minutes: 120,
        min_lead_minutes: 45,
    };

    #[test]
    fn an_allowed_send_time_is_kept() {
        let h = hours(chrono_tz::Europe::London, "21:00", "08:00", false);
        // 10:00 London in winter is 10:00 UTC.
        let plans = plan_reminders(
            utc(2027, 1, 12, 10, 0),
            &[DAY, TWO_HOURS],
            &h,
            utc(2027, 1, 1, 0, 0),
        );
        assert_eq!(
            plans,
            vec![
                Planned::Send {
                    rule_id: 1,
                    send_at: utc(2027, 1, 11, 10, 0)
                },
                Planned::Send {
                    rule_id: 2,
                    send_at: utc(2027, 1, 12, 8, 0)
                },
            ]
        );
    }

    #[test]
    fn quiet_hours_move_later_if_still_useful_else_earlier() {
        let h = hours(chrono_tz::Europe::London, "21:00", "08:00", false);
        // 07:30 appointment: the 24 h reminder (07:30 the day before) waits until 08:00.
        let plans = plan_reminders(
            utc(2027, 1, 12, 7, 30),
            &[DAY, TWO_HOURS],
            &h,
            utc(2027, 1, 1, 0, 0),
        );
        assert_eq!(
            plans[0],
            Planned::Send {
                rule_id: 1,
                send_at: utc(2027, 1, 11, 8, 0)
            }
        );
        // The 2 h reminder (05:30) can't wait until 08:00 (after the start): 20:59 the evening before.
        assert_eq!(
            plans[1],
            Planned::Send {
                rule_id: 2,
                send_at: utc(2027, 1, 11, 20, 59)
            }
        );
    }

    #[test]
    fn booked_too_late_and_no_sundays() {
        let h = hours(chrono_tz::Europe::London, "21:00", "08:00", true);
        let plans = plan_reminders(utc(2027, 1, 12, 10, 0), &[DAY], &h, utc(2027, 1, 12, 7, 0));
        assert_eq!(
            plans[0],
            Planned::Suppress {
                rule_id: 1,
                reason: SuppressReason::TooLate
            }
        );
        // Monday 10:00: the 24 h reminder would be Sunday 10:00, so Saturday 20:59.
        let plans = plan_reminders(utc(2027, 1, 11, 10, 0), &[DAY], &h, utc(2027, 1, 1, 0, 0));
        assert_eq!(
            plans[0],
            Planned::Send {
                rule_id: 1,
                send_at: utc(2027, 1, 9, 20, 59)
            }
        );
    }

    #[test]
    fn the_recipients_zone_decides() {
        // A Sydney client of a London business: 09:00 Sydney is 22:00 UTC the day before.
        let h = hours(chrono_tz::Australia::Sydney, "21:00", "08:00", false);
        let start = chrono_tz::Australia::Sydney
            .with_ymd_and_hms(2027, 3, 10, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let plans = plan_reminders(start, &[TWO_HOURS], &h, utc(2027, 1, 1, 0, 0));
        // 07:00 Sydney is quiet; 08:00 is 60 min before: inside the 45 min lead, so it waits.
        let Planned::Send { send_at, .. } = plans[0] else {
            panic!("{plans:?}")
        };
        assert_eq!(
            send_at
                .with_timezone(&chrono_tz::Australia::Sydney)
                .format("%H:%M")
                .to_string(),
            "08:00"
        );
    }

    const ZONES: [Tz; 7] = [
        chrono_tz::America::New_York,
        chrono_tz::America::Los_Angeles,
        chrono_tz::Europe::London,
        chrono_tz::Europe::Berlin,
        chrono_tz::Australia::Sydney,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Pacific::Honolulu,
    ];
    const QUIET: [(&str, &str); 4] = [
        ("21:00", "08:00"),
        ("20:00", "08:00"),
        ("20:00", "09:00"),
        ("22:30", "07:15"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Across DST days (US 2027-03-14 and 11-07, EU 2027-03-28) and zones far apart: a
        /// planned send is never in quiet hours, never after the start, never before now, never
        /// later than the rule's lead, and each rule is planned once.
        #[test]
        fn planned_sends_keep_every_rule(
            day in prop::sample::select(vec![(3u32, 12u32), (3, 13), (3, 14), (3, 15), (3, 27), (3, 28), (3, 29), (11, 6), (11, 7), (11, 8), (6, 1)]),
            minute_of_day in 0u32..(24 * 60),
            zone in prop::sample::select(ZONES.to_vec()),
            quiet in prop::sample::select(QUIET.to_vec()),
            no_sundays in any::<bool>(),
            lead_back in 0i64..(72 * 60),
            offsets in prop::collection::vec((30u32..(72 * 60), 10u32..(6 * 60)), 1..4),
        ) {
            let start = utc(2027, day.0, day.1, 0, 0) + Duration::minutes(i64::from(minute_of_day));
            let now = start - Duration::minutes(lead_back);
            let hours = hours(zone, quiet.0, quiet.1, no_sundays);
            let rules: Vec<RuleTiming> = offsets.iter().enumerate().map(|(i, (offset, lead))| RuleTiming {
                rule_id: i as i64,
                offset_minutes: *offset,
                min_lead_minutes: (*lead).min(offset.saturating_sub(1)),
            }).collect();
            let plans = plan_reminders(start, &rules, &hours, now);
            prop_assert_eq!(plans.len(), rules.len());
            for (plan, rule) in plans.iter().zip(&rules) {
                if let Planned::Send { rule_id, send_at } = plan {
                    prop_assert_eq!(*rule_id, rule.rule_id);
                    prop_assert!(*send_at < start, "after the start");
                    prop_assert!(*send_at >= now, "in the past");
                    prop_assert!(hours.allows(*send_at), "in quiet hours: {}", send_at.with_timezone(&zone));
                    prop_assert!(*send_at <= start - Duration::minutes(i64::from(rule.min_lead_minutes)), "later than the lead");
                }
            }
        }
    }
}
