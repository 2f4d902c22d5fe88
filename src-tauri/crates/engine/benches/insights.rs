//! Insights over a year of texting: 1,000,000 texts stored (20,000 clients, 150,000
//! appointments in 2026 with their reminders, replies, staff answers, follow-ups and opt-outs),
//! the report for the last 30 days, the last 90 days and the whole year, with the clock on
//! 1 January 2027.
//!
//! Run: `cargo bench -p tidings-engine --bench insights`
//!
//! What is timed, for each period:
//! - `first look`: one call with no day totals kept (the first look after an upgrade, before
//!   the app's warm-up has run): every closed day is counted from the texts and kept;
//! - the criterion samples: the call as the Insights screen makes it, closed days kept;
//! - `after a day`: the whole year again after a day of changes at the desk (visits marked
//!   done or missed, delivery reports, replies, staff answers), which touch a few closed days;
//! - `warm-up`: `Engine::warm_insights(400)` from nothing, as the app runs it at start.
//!
//! The data is built fresh in a temporary folder on every run (as the other benches do). Set
//! `TIDINGS_INSIGHTS_BENCH_KEEP=/some/file.sqlite3` to keep a copy of the generated database,
//! e.g. to look at query plans with `sqlite3`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

// The year's data and its database live in benches/insights/ beside this file: a file directly
// in benches/ would be a bench of its own.
#[path = "insights/database.rs"]
mod database;
#[path = "insights/words.rs"]
mod words;
#[path = "insights/year.rs"]
mod year;

use std::cell::RefCell;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use tidings_engine::InsightsReport;

use database::{a_day_at_the_desk, fill, open_engine, set_up};
use year::{APPOINTMENTS, CLIENTS, MESSAGES};

/// The periods reported, as the Insights screen asks for them (business-local days).
const PERIODS: [(&str, &str, &str); 3] = [
    ("last_30_days", "2026-12-02", "2026-12-31"),
    ("last_90_days", "2026-10-03", "2026-12-31"),
    ("whole_year", "2026-01-01", "2026-12-31"),
];

/// Every call timed per period (criterion's warm-up included), for the median/p95 summary
/// printed at the end.
struct Summary(RefCell<Vec<(String, Vec<Duration>, String)>>);

impl Summary {
    /// Benchmarks `f` under `name`, recording every call's time; `what` says what one call
    /// returned.
    fn bench<T>(
        &self,
        group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        mut f: impl FnMut() -> T,
        what: String,
    ) {
        let times = RefCell::new(Vec::new());
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    std::hint::black_box(f());
                    let took = t.elapsed();
                    times.borrow_mut().push(took);
                    total += took;
                }
                total
            })
        });
        self.record(name, times.into_inner(), what);
    }

    fn record(&self, name: &str, times: Vec<Duration>, what: String) {
        self.0.borrow_mut().push((name.to_owned(), times, what));
    }

    fn print(&self) {
        println!();
        println!(
            "insights with {MESSAGES} texts stored ({CLIENTS} clients, {APPOINTMENTS} appointments in 2026):"
        );
        println!(
            "  {:<26} {:>10} {:>10} {:>6}  result",
            "call", "median", "p95", "calls"
        );
        for (name, times, what) in self.0.borrow_mut().iter_mut() {
            times.sort();
            let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
            println!(
                "  {:<26} {:>10} {:>10} {:>6}  {what}",
                name,
                ms(at(0.5)),
                ms(at(0.95)),
                times.len(),
            );
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn describe(r: &InsightsReport) -> String {
    format!(
        "sent {}, reminders {}, replied {}, confirmed {}/{}, no-shows {}/{} vs {}/{}, opt-outs {}, answered {} (median {:?} s), {} weeks, {} versions",
        r.sent,
        r.reminders_sent,
        r.response.count,
        r.confirmation.count,
        r.confirmation.out_of,
        r.no_show_reminded.count,
        r.no_show_reminded.out_of,
        r.no_show_not_reminded.count,
        r.no_show_not_reminded.out_of,
        r.opt_outs.count,
        r.first_response.answered,
        r.first_response.median_seconds,
        r.weekly.len(),
        r.versions.len(),
    )
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");

    let built = Instant::now();
    let engine = open_engine(&path);
    let ids = set_up(&engine);
    let counts = fill(&path, &ids);
    let build_time = built.elapsed();
    let db_bytes = std::fs::metadata(&path).unwrap().len();
    println!(
        "built {MESSAGES} texts ({} inbound, {} reminders, {} staff answers), {APPOINTMENTS} appointments, {CLIENTS} clients ({} opted out) in {:.1} s (database {:.0} MB)",
        counts.inbound,
        counts.reminders,
        counts.staff,
        counts.opt_outs,
        build_time.as_secs_f64(),
        db_bytes as f64 / 1e6
    );
    if let Ok(keep) = std::env::var("TIDINGS_INSIGHTS_BENCH_KEEP") {
        std::fs::copy(&path, &keep).unwrap();
        println!("kept a copy at {keep}");
    }

    let summary = Summary(RefCell::new(Vec::new()));
    // The first look at each period, nothing kept: three calls each.
    for (name, from, to) in PERIODS {
        let mut times = Vec::new();
        for _ in 0..3 {
            engine.forget_insights().unwrap();
            let t = Instant::now();
            std::hint::black_box(engine.insights(from, to).unwrap());
            times.push(t.elapsed());
        }
        summary.record(
            &format!("{name}, first look"),
            times,
            "every closed day counted from the texts and kept".into(),
        );
    }
    engine.forget_insights().unwrap();
    let t = Instant::now();
    let warmed = engine.warm_insights(400).unwrap();
    summary.record(
        "warm-up (400 days)",
        vec![t.elapsed()],
        format!("{warmed} days counted and kept"),
    );

    let mut group = c.benchmark_group("insights_1m_texts");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let mut reports = Vec::new();
    for (name, from, to) in PERIODS {
        let report = engine.insights(from, to).unwrap();
        summary.bench(
            &mut group,
            name,
            || engine.insights(from, to).unwrap(),
            describe(&report),
        );
        reports.push(report);
    }
    group.finish();

    // The figures read from kept days are the figures counted from the texts.
    engine.forget_insights().unwrap();
    for ((_, from, to), kept) in PERIODS.iter().zip(&reports) {
        assert_eq!(&engine.insights(from, to).unwrap(), kept);
    }

    let (_, from, to) = PERIODS[2];
    let mut times = Vec::new();
    for _ in 0..5 {
        a_day_at_the_desk(&path);
        let t = Instant::now();
        let after = engine.insights(from, to).unwrap();
        times.push(t.elapsed());
        std::hint::black_box(after);
    }
    summary.record(
        "whole_year, after a day",
        times,
        "the days the changes touched counted again".into(),
    );
    summary.print();
}

criterion_group!(benches, bench);
criterion_main!(benches);
