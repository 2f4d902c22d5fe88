//! Insights' day totals: counted per business day and kept for closed days, so a look at a
//! long period reads kept totals rather than every text.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use tidings_store::{DayTotals, DayWindow};

use crate::error::bad_input;
use crate::{Engine, EngineError};

impl Engine {
    /// Counts every closed business day of the last `days` that isn't kept yet, a month at a
    /// time, so the first look at Insights is as quick as the next. Returns the days counted.
    pub fn warm_insights(&self, days: u32) -> Result<usize, EngineError> {
        let zone = self.business_zone()?;
        let today = self.now().with_timezone(&zone).date_naive();
        let first = today - Duration::days(i64::from(days));
        self.prepare_kept_days(zone)?;
        Ok(self.day_totals(zone, first, today - Duration::days(1))?.1)
    }

    /// Drops every kept day total, so the next look counts from the texts themselves.
    pub fn forget_insights(&self) -> Result<(), EngineError> {
        Ok(self.store.insights_forget_all()?)
    }

    /// Drops the kept days that changed since the last look (all of them when the time zone or
    /// the definitions changed); once per look, before any `day_totals`.
    pub(super) fn prepare_kept_days(&self, zone: Tz) -> Result<(), EngineError> {
        self.store.insights_prepare(
            &format!("{COUNTED_WITH}|{zone}"),
            |utc_day| touched_days(zone, utc_day),
            self.now(),
        )?;
        Ok(())
    }

    /// One total per business day from `first` to `last`: kept totals for closed days (counted
    /// and kept when missing), counted afresh for today and later; with how many closed days
    /// had to be counted.
    pub(super) fn day_totals(
        &self,
        zone: Tz,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<(Vec<DayTotals>, usize), EngineError> {
        let today = self.now().with_timezone(&zone).date_naive();
        let closed_last = last.min(today - Duration::days(1));
        let mut by_day: HashMap<String, DayTotals> = HashMap::new();
        if first <= closed_last {
            for d in self
                .store
                .insights_kept_days(&day_name(first), &day_name(closed_last))?
            {
                by_day.insert(d.day.clone(), d);
            }
        }
        let all: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
        let missing: Vec<NaiveDate> = all
            .iter()
            .copied()
            .filter(|d| *d <= closed_last && !by_day.contains_key(&day_name(*d)))
            .collect();
        // A month per read, so other work gets the database between them.
        for chunk in missing.chunks(31) {
            let windows = chunk
                .iter()
                .map(|d| day_window(zone, *d))
                .collect::<Result<Vec<_>, _>>()?;
            let (counted, generation) = self.store.insights_count_days(&windows)?;
            self.store
                .insights_keep_days(&counted, generation, self.now())?;
            for d in counted {
                by_day.insert(d.day.clone(), d);
            }
        }
        let open = all
            .iter()
            .filter(|d| **d > closed_last)
            .map(|d| day_window(zone, *d))
            .collect::<Result<Vec<_>, _>>()?;
        for d in self.store.insights_count_days(&open)?.0 {
            by_day.insert(d.day.clone(), d);
        }
        let totals = all
            .iter()
            .map(|d| by_day.remove(&day_name(*d)).unwrap_or_default())
            .collect();
        Ok((totals, missing.len()))
    }
}

/// How far back the background warm-up counts day totals: the longest preset (a year) and a
/// month more.
pub(crate) const INSIGHTS_WARM_DAYS: u32 = 400;

/// What kept day totals were counted with; change it when a definition changes, so days kept
/// under the old one are counted again.
const COUNTED_WITH: &str = "insights-days-1";

pub(super) fn day_name(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The instant a business day starts: local midnight, or the first instant after it when a
/// clock change skips midnight.
fn day_start(zone: Tz, day: NaiveDate) -> Result<DateTime<Utc>, EngineError> {
    tidings_domain::days::day_start(zone, day)
        .ok_or_else(|| bad_input("from", "That day has no start in this time zone."))
}

pub(super) fn day_window(zone: Tz, day: NaiveDate) -> Result<DayWindow, EngineError> {
    Ok(DayWindow {
        day: day_name(day),
        start: day_start(zone, day)?,
        end: day_start(zone, day + Duration::days(1))?,
    })
}

/// The business days a UTC day overlaps (one or two).
fn touched_days(zone: Tz, utc_day: &str) -> Vec<String> {
    let Ok(day) = NaiveDate::parse_from_str(utc_day, "%Y-%m-%d") else {
        return Vec::new();
    };
    let start = Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN));
    let first = start.with_timezone(&zone).date_naive();
    let last = (start + Duration::days(1) - Duration::seconds(1))
        .with_timezone(&zone)
        .date_naive();
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(day_name)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_utc_day_touches_the_business_days_it_overlaps() {
        assert_eq!(touched_days(chrono_tz::UTC, "2027-03-02"), ["2027-03-02"]);
        // New York is behind: 2 March UTC starts on the evening of 1 March there.
        assert_eq!(
            touched_days(chrono_tz::America::New_York, "2027-03-02"),
            ["2027-03-01", "2027-03-02"]
        );
        // Half-hour zones too.
        assert_eq!(
            touched_days(chrono_tz::Asia::Kolkata, "2027-03-02"),
            ["2027-03-02", "2027-03-03"]
        );
        assert!(touched_days(chrono_tz::UTC, "not a day").is_empty());
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clock_does() {
        // Chile moves its clocks from 00:00 to 01:00 on 6 September 2026.
        let zone = chrono_tz::America::Santiago;
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        let w = day_window(zone, day).unwrap();
        assert_eq!(w.start, Utc.with_ymd_and_hms(2026, 9, 6, 4, 0, 0).unwrap());
        assert_eq!(w.end, Utc.with_ymd_and_hms(2026, 9, 7, 3, 0, 0).unwrap());
    }
}
