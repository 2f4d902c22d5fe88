//! Which backups to keep: the newest of each of the last `daily` days that have one, and the
//! newest of each of the last `monthly` months. Days and months are the business's own.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};

/// The ids of backups that fall outside the retention; `backups` are (id, taken at).
pub fn backups_to_prune(
    backups: &[(i64, DateTime<Utc>)],
    zone: &chrono_tz::Tz,
    daily: usize,
    monthly: usize,
) -> Vec<i64> {
    let mut newest_per_day: BTreeMap<chrono::NaiveDate, (DateTime<Utc>, i64)> = BTreeMap::new();
    let mut newest_per_month: BTreeMap<(i32, u32), (DateTime<Utc>, i64)> = BTreeMap::new();
    for (id, at) in backups {
        let local = at.with_timezone(zone).date_naive();
        let day = newest_per_day.entry(local).or_insert((*at, *id));
        if *at > day.0 {
            *day = (*at, *id);
        }
        let month = newest_per_month
            .entry((local.year(), local.month()))
            .or_insert((*at, *id));
        if *at > month.0 {
            *month = (*at, *id);
        }
    }
    let mut keep: Vec<i64> = newest_per_day
        .values()
        .rev()
        .take(daily)
        .map(|(_, id)| *id)
        .collect();
    keep.extend(
        newest_per_month
            .values()
            .rev()
            .take(monthly)
            .map(|(_, id)| *id),
    );
    backups
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !keep.contains(id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn keeps_fourteen_days_and_six_months() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap();
        // Two backups a day for 300 days.
        let backups: Vec<(i64, DateTime<Utc>)> = (0..600)
            .map(|i| (i as i64, start + Duration::hours(12 * i as i64)))
            .collect();
        let prune = backups_to_prune(&backups, &chrono_tz::Europe::London, 14, 6);
        let kept: Vec<i64> = backups
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| !prune.contains(id))
            .collect();
        // 14 newest days (their later backup each) + up to 6 month-ends, overlapping once.
        assert_eq!(kept.len(), 14 + 6 - 1, "{kept:?}");
        assert!(kept.contains(&599), "the newest is kept");
        assert!(!kept.contains(&598), "only the newest of a day");
        assert!(!kept.contains(&0));
        // A day with two backups keeps its later one.
        assert_eq!(
            backups_to_prune(&backups[..3], &chrono_tz::UTC, 14, 6),
            vec![0]
        );
    }
}
