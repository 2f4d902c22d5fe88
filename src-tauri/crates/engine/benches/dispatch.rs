//! Dispatch overhead per text with the Sandbox provider (1,000 reminders due in one tick:
//! claim, gate, render, Sandbox send, mark sent), and the rate limiter holding its configured
//! rate (200 slots at 100/s, 50 slots at 10/s).
//!
//! Run: `cargo bench -p tidings-engine --bench dispatch`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use tidings_engine::domain::{
    AppointmentInput, ClientInput, ConsentAction, ConsentChannel, ConsentInput, Purpose,
    SetupInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, Preset, SenderLock};

/// Reminders due in the timed tick.
const MESSAGES: usize = 1_000;

fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, min, 0).unwrap()
}

/// The appointments start at 3/3 18:00 UTC (13:00 in New York); the Light preset's 24-hour
/// reminder is due at 3/2 18:00 UTC, inside allowed hours.
fn appointment_start() -> DateTime<Utc> {
    utc(3, 3, 18, 0)
}

fn tick_time() -> DateTime<Utc> {
    utc(3, 2, 18, 0)
}

fn open(path: &Path, now: DateTime<Utc>) -> Engine {
    Engine::open(EngineConfig {
        db_path: path.to_owned(),
        clock: Arc::new(FixedClock::new(now)),
        ..EngineConfig::new(Default::default())
    })
    .unwrap()
}

/// A business in New York on the Light preset with `MESSAGES` consenting clients, each with an
/// appointment whose reminder is due at `tick_time()`. The file is complete on return: the
/// engine is closed and the WAL checkpointed into the main file.
fn prepare(path: &Path) {
    let engine = open(path, utc(3, 1, 15, 0));
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "bench",
        )
        .unwrap();
    engine
        .apply_preset(Preset::Light, WriteSource::Ui, "bench")
        .unwrap();
    for i in 0..MESSAGES {
        let client = engine
            .create_client(
                &ClientInput {
                    name: format!("Client {i}"),
                    phone: format!("+1415555{i:04}"),
                    ..ClientInput::default()
                },
                WriteSource::Ui,
                "bench",
            )
            .unwrap();
        engine
            .record_consent(
                &ConsentInput {
                    client_id: client.id,
                    purpose: Purpose::Service,
                    action: ConsentAction::Granted,
                    channel: ConsentChannel::FrontDeskVerbal,
                    recorded_by: "Sam".into(),
                    occurred_at: None,
                    evidence: None,
                },
                WriteSource::Ui,
            )
            .unwrap();
        let appointment = engine
            .create_appointment(
                &AppointmentInput {
                    client_id: client.id,
                    starts_at: appointment_start(),
                    ends_at: appointment_start() + chrono::Duration::hours(1),
                    service_id: None,
                    staff_id: None,
                    location: None,
                    notes: None,
                },
                WriteSource::Ui,
                "bench",
            )
            .unwrap();
        let due: Vec<_> = engine
            .outbox(Some(appointment.id))
            .unwrap()
            .into_iter()
            .map(|m| m.send_at)
            .collect();
        assert_eq!(due, [Some(tick_time())], "one reminder due at the tick");
    }
    drop(engine);
    let conn = rusqlite::Connection::open(path).unwrap();
    let (busy, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint completed");
}

fn dispatch(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("prepared.sqlite3");
    let t = Instant::now();
    prepare(&template);
    println!(
        "dispatch: prepared {MESSAGES} clients, consents and appointments in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let ticks: RefCell<Vec<Duration>> = RefCell::new(Vec::new());
    let mut copies = 0_usize;
    let mut group = c.benchmark_group("dispatch_sandbox");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("tick_1000_due", |b| {
        b.iter_batched(
            || {
                // A fresh copy of the prepared database: the tick consumes its messages.
                copies += 1;
                let copy: PathBuf = dir.path().join(format!("run-{copies}.sqlite3"));
                std::fs::copy(&template, &copy).unwrap();
                (open(&copy, tick_time()), Cleanup(copy))
            },
            |(engine, cleanup)| {
                let t = Instant::now();
                let report = runtime.block_on(engine.tick()).unwrap();
                ticks.borrow_mut().push(t.elapsed());
                assert_eq!(report.sent.len(), MESSAGES, "{:?}", report.suppressed);
                (engine, cleanup)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let mut ticks = ticks.into_inner();
    ticks.sort();
    let per_message = |d: Duration| d.as_secs_f64() * 1e6 / MESSAGES as f64;
    println!(
        "dispatch: Sandbox tick of {MESSAGES} due texts over {} runs: median {:.1} µs/text \
         (min {:.1}, max {:.1}); median tick {:.0} ms",
        ticks.len(),
        per_message(ticks[ticks.len() / 2]),
        per_message(ticks[0]),
        per_message(ticks[ticks.len() - 1]),
        ticks[ticks.len() / 2].as_secs_f64() * 1e3,
    );
}

/// Removes a database copy (and any WAL/SHM beside it) once the engine using it is dropped.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.0.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
}

/// Takes `slots` sending slots at `per_second` through the sender lease, as every send does
/// (the lock file keeps the pace across processes); returns the time from the first slot
/// (which is immediate) to the last, so the rate is `(slots - 1) / elapsed`.
async fn acquire_slots(slots: u32, per_second: u32) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let lock = SenderLock::open(&dir.path().join("pace.sqlite3")).unwrap();
    let slot = || async {
        let lease = lock.acquire(Duration::from_secs(5)).await.unwrap();
        lease.pace(per_second).await;
    };
    slot().await;
    let t = Instant::now();
    for _ in 1..slots {
        slot().await;
    }
    t.elapsed()
}

fn report_rate(per_second: u32, slots: u32, elapsed: Duration) -> f64 {
    let achieved = f64::from(slots - 1) / elapsed.as_secs_f64();
    println!(
        "rate limiter: configured {per_second}/s, achieved {achieved:.2}/s over {slots} slots \
         ({:.3} s after the first slot)",
        elapsed.as_secs_f64()
    );
    achieved
}

fn rate_limiter(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // 200 slots at 100/s: about 2 s per iteration, so ten flat samples take about 20 s.
    let mut rates = Vec::new();
    let mut group = c.benchmark_group("rate_limiter");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(199));
    group.bench_function("200_slots_at_100_per_s", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let elapsed = runtime.block_on(acquire_slots(200, 100));
                rates.push(199.0 / elapsed.as_secs_f64());
                total += elapsed;
            }
            total
        })
    });
    group.finish();
    rates.sort_by(f64::total_cmp);
    println!(
        "rate limiter: configured 100/s, achieved median {:.2}/s (min {:.2}, max {:.2}) over 200 \
         slots in {} runs",
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1],
        rates.len()
    );

    // Plain timed sections, one run each.
    report_rate(100, 200, runtime.block_on(acquire_slots(200, 100)));
    report_rate(10, 50, runtime.block_on(acquire_slots(50, 10)));
}

criterion_group!(benches, dispatch, rate_limiter);
criterion_main!(benches);
