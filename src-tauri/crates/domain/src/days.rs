//! Business days in a time zone: when one starts, as an instant.
//!
//! Local midnight is not always a time the clock shows: where summer time begins at midnight
//! (Santiago, Havana, Asunción, Beirut), the day starts at 01:00. Every "this day in that
//! zone" in Tidings goes through here, so none of them is wrong on such a day.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant `day` starts in `zone`: local midnight, or the first instant after it that
/// exists when a clock change skips midnight. `None` only for a day no clock shows at all.
pub fn day_start(zone: Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    let mut local = day.and_time(NaiveTime::MIN);
    // A clock change skips at most a couple of hours; look past midnight for the first minute.
    for _ in 0..=(3 * 60) {
        if let Some(t) = zone.from_local_datetime(&local).earliest() {
            return Some(t.with_timezone(&Utc));
        }
        local += Duration::minutes(1);
    }
    None
}

/// `[start, end)` of `day` in `zone`: 23, 24 or 25 hours.
pub fn day_span(zone: Tz, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((day_start(zone, day)?, day_start(zone, day.succ_opt()?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_day_starts_at_local_midnight_and_lasts_as_long_as_the_clock_says() {
        let london = chrono_tz::Europe::London;
        let (start, end) = day_span(london, date(2027, 3, 28)).unwrap();
        assert_eq!(start.to_rfc3339(), "2027-03-28T00:00:00+00:00");
        assert_eq!(
            end - start,
            Duration::hours(23),
            "the clocks go forward at 01:00"
        );
        let (start, end) = day_span(london, date(2027, 10, 31)).unwrap();
        assert_eq!(end - start, Duration::hours(25));
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            day_start(ny, date(2027, 6, 15)).unwrap().to_rfc3339(),
            "2027-06-15T04:00:00+00:00"
        );
    }

    #[test]
    fn where_summer_time_skips_midnight_the_day_starts_at_one() {
        // Santiago moves from 00:00 to 01:00 on the first Sunday of September.
        let santiago = chrono_tz::America::Santiago;
        let start = day_start(santiago, date(2027, 9, 5)).unwrap();
        assert_eq!(
            start.to_rfc3339(),
            "2027-09-05T04:00:00+00:00",
            "01:00 at -03"
        );
        let (from, to) = day_span(santiago, date(2027, 9, 5)).unwrap();
        assert_eq!(to - from, Duration::hours(23));
        // The day before ends where this one begins.
        assert_eq!(day_span(santiago, date(2027, 9, 4)).unwrap().1, start);
    }
}
