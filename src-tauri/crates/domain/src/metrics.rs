//! Metrics arithmetic for Insights: rates that say what they count (and stay empty rather than
//! dividing by zero), medians and percentiles of response times, week-over-week comparison and
//! the negative signals that deserve a banner. The numbers themselves come from the store.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A share with its counts, so nobody reads a percentage without its base.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct Rate {
    pub count: u32,
    pub out_of: u32,
    /// `count / out_of`, or `None` when there is nothing to divide by.
    pub value: Option<f64>,
}

impl Rate {
    pub fn of(count: u32, out_of: u32) -> Self {
        Self {
            count,
            out_of,
            value: (out_of > 0).then(|| f64::from(count) / f64::from(out_of)),
        }
    }

    /// Per 100 of the base (opt-outs per 100 texts).
    pub fn per_hundred(&self) -> Option<f64> {
        self.value.map(|v| v * 100.0)
    }
}

/// The nearest-rank percentile (`p` in 0–100) of some durations, in seconds.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut values = values.to_vec();
    let p = p.min(100) as usize;
    // Nearest rank: the smallest value with at least p% of values at or below it.
    let rank = (p * values.len()).div_ceil(100).max(1);
    // Only the value at that rank needs to be in place, not the whole list sorted.
    let (_, at, _) = values.select_nth_unstable(rank - 1);
    Some(*at)
}

pub fn median(values: &[i64]) -> Option<i64> {
    percentile(values, 50)
}

/// Whether a rate rose from one week to the next by enough to matter: at least `min_points`
/// percentage points, with at least `min_count` events this week (so one opt-out among three
/// texts is not an alarm).
pub fn rose(previous: &Rate, current: &Rate, min_points: f64, min_count: u32) -> bool {
    match (previous.value, current.value) {
        (Some(before), Some(now)) => {
            current.count >= min_count && (now - before) * 100.0 >= min_points
        }
        (None, Some(now)) => current.count >= min_count && now * 100.0 >= min_points,
        _ => false,
    }
}

/// Something Insights and Today should warn about, with what to check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Signal {
    /// "opt_outs_high", "opt_outs_rising", "carrier_filtering", "failures_rising".
    pub kind: String,
    pub message: String,
    pub what_to_check: String,
}

/// Thresholds: more than 1 opt-out per 100 texts in a week is high for reminders customers
/// asked for; a rise of 0.5 points week over week, or carrier filtering (30007) on 2 % of
/// texts, or failures up 5 points, each deserve a look.
pub fn negative_signals(
    opt_outs_last_week: &Rate,
    opt_outs_this_week: &Rate,
    filtered_this_week: &Rate,
    failures_last_week: &Rate,
    failures_this_week: &Rate,
) -> Vec<Signal> {
    let mut out = Vec::new();
    if opt_outs_this_week
        .per_hundred()
        .is_some_and(|v| v > 1.0 && opt_outs_this_week.count >= 2)
    {
        out.push(Signal {
            kind: "opt_outs_high".into(),
            message: format!(
                "{} customers opted out this week: {:.1} per 100 texts.",
                opt_outs_this_week.count,
                opt_outs_this_week.per_hundred().unwrap_or_default()
            ),
            what_to_check: "Are reminders going to people who didn't ask for them, or too often? Check consent sources and the caps in Settings.".into(),
        });
    } else if rose(opt_outs_last_week, opt_outs_this_week, 0.5, 2) {
        out.push(Signal {
            kind: "opt_outs_rising".into(),
            message: "Opt-outs are rising compared with last week.".into(),
            what_to_check: "Look at what changed: a new template version, a new rule, or a notice."
                .into(),
        });
    }
    if filtered_this_week.value.is_some_and(|v| v >= 0.02) && filtered_this_week.count >= 2 {
        out.push(Signal {
            kind: "carrier_filtering".into(),
            message: format!(
                "Carriers filtered {} texts this week as possible spam (error 30007).",
                filtered_this_week.count
            ),
            what_to_check: "Avoid links and capitals in templates, and make sure the sending number is registered (A2P 10DLC or toll-free verification).".into(),
        });
    }
    if rose(failures_last_week, failures_this_week, 5.0, 3) {
        out.push(Signal {
            kind: "failures_rising".into(),
            message: "More texts failed this week than last.".into(),
            what_to_check: "Open Reminders to see the reasons; numbers that are landlines or no longer in service are marked on the client.".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_keep_their_counts_and_never_divide_by_zero() {
        let r = Rate::of(3, 12);
        assert_eq!(r.value, Some(0.25));
        assert_eq!(r.per_hundred(), Some(25.0));
        let empty = Rate::of(0, 0);
        assert_eq!(empty.value, None);
        assert_eq!(empty.per_hundred(), None);
        assert_eq!(Rate::of(0, 5).value, Some(0.0));
    }

    #[test]
    fn median_and_ninetieth_percentile_by_nearest_rank() {
        // Minutes to first answer, worked by hand: sorted 2 3 5 8 13 21 34 55 89 144.
        let seconds: Vec<i64> = [13, 2, 89, 5, 34, 3, 144, 8, 55, 21]
            .iter()
            .map(|m| m * 60)
            .collect();
        // 50th: rank ceil(0.5 × 10) = 5 → 13 min; 90th: rank 9 → 89 min.
        assert_eq!(median(&seconds), Some(13 * 60));
        assert_eq!(percentile(&seconds, 90), Some(89 * 60));
        assert_eq!(percentile(&seconds, 100), Some(144 * 60));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn signals_need_enough_events_to_mean_something() {
        let none = Rate::of(0, 0);
        // 3 opt-outs in 120 texts: 2.5 per 100 → high.
        let signals = negative_signals(&none, &Rate::of(3, 120), &none, &none, &none);
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].kind, "opt_outs_high");
        assert!(signals[0].message.contains("2.5 per 100"));
        // 1 opt-out in 20 texts is 5 per 100 but a single event: no alarm.
        assert!(negative_signals(&none, &Rate::of(1, 20), &none, &none, &none).is_empty());
        // Rising: 0.2 → 0.9 per 100 with 2 events.
        let rising = negative_signals(&Rate::of(1, 500), &Rate::of(2, 220), &none, &none, &none);
        assert_eq!(rising[0].kind, "opt_outs_rising");
        // Filtering on 3 of 100 texts.
        let filtered = negative_signals(&none, &none, &Rate::of(3, 100), &none, &none);
        assert_eq!(filtered[0].kind, "carrier_filtering");
        // Failures from 1 % to 10 % with 10 events.
        let failing = negative_signals(&none, &none, &none, &Rate::of(1, 100), &Rate::of(10, 100));
        assert_eq!(failing[0].kind, "failures_rising");
        // Quiet week: nothing.
        assert!(negative_signals(
            &Rate::of(0, 80),
            &Rate::of(0, 90),
            &Rate::of(0, 90),
            &Rate::of(1, 80),
            &Rate::of(1, 90)
        )
        .is_empty());
    }
}
