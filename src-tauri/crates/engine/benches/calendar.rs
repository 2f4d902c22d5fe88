//! How long the calendar's week query takes with 100,000 appointments in the database
//! (about two years of a busy five-chair salon), including the overlap flag per appointment.
//!
//! Run: `cargo bench -p tidings-engine --bench calendar`

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use tidings_engine::domain::{AppointmentSource, AppointmentStatus, SetupInput, WriteSource};
use tidings_engine::{Engine, EngineConfig, FixedClock};
use tidings_store::{ImportedAppointment, NewAuditEntry, Store};

const APPOINTMENTS: usize = 100_000;
const CLIENTS: usize = 5_000;
const STAFF: [&str; 5] = ["Sam", "Kim", "Lee", "Ola", "Raj"];

fn seed(path: &std::path::Path) {
    let store = Store::open(path).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 14, 0, 0).unwrap();
    let rows: Vec<ImportedAppointment> = (0..APPOINTMENTS)
        .map(|i| {
            // Five chairs, eight one-hour slots a day, every day.
            let chair = i % STAFF.len();
            let slot = (i / STAFF.len()) % 8;
            let day = i / (STAFF.len() * 8);
            let starts_at =
                start + chrono::Duration::days(day as i64) + chrono::Duration::hours(slot as i64);
            ImportedAppointment {
                existing_id: None,
                client_phone: format!("+1415555{:04}", i % CLIENTS),
                client_name: format!("Client {}", i % CLIENTS),
                service: Some(("Cut".into(), 60)),
                staff: Some(STAFF[chair].into()),
                starts_at,
                ends_at: starts_at + chrono::Duration::minutes(55),
                timezone: "America/New_York".into(),
                location: String::new(),
                notes: String::new(),
                status: AppointmentStatus::Booked,
                source: AppointmentSource::CsvImport,
                external_id: Some(format!("B{i}")),
                feed_id: None,
            }
        })
        .collect();
    store
        .apply_appointment_import(
            &rows,
            None,
            Utc::now(),
            NewAuditEntry {
                at: Utc::now(),
                actor: "bench",
                source: WriteSource::Import,
                entity: "appointment",
                entity_id: None,
                action: "seed",
                detail: serde_json::Value::Null,
            },
            serde_json::Value::Null,
        )
        .unwrap();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    seed(&path);
    let engine = Engine::open(EngineConfig {
        db_path: path,
        clock: Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
        )),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Bench".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "bench",
        )
        .unwrap();
    let from = Utc.with_ymd_and_hms(2027, 3, 8, 5, 0, 0).unwrap();
    let to = from + chrono::Duration::days(7);
    assert_eq!(
        engine.appointments_between(from, to, None).unwrap().len(),
        7 * 40
    );

    let mut group = c.benchmark_group("calendar_100k_appointments");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("week_all_staff", |b| {
        b.iter(|| engine.appointments_between(from, to, None).unwrap())
    });
    let sam = engine
        .staff()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Sam")
        .unwrap()
        .id;
    group.bench_function("week_one_staff", |b| {
        b.iter(|| engine.appointments_between(from, to, Some(sam)).unwrap())
    });
    group.bench_function("month_all_staff", |b| {
        b.iter(|| {
            engine
                .appointments_between(from, from + chrono::Duration::days(31), None)
                .unwrap()
        })
    });
    group.bench_function("today", |b| b.iter(|| engine.today().unwrap()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
