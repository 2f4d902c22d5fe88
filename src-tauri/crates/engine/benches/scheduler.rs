//! Planning reminders for 100,000 appointments, and one idle scheduler pass with 1,000,000
//! messages stored.
//!
//! Run: `cargo bench -p tidings-engine --bench scheduler`

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use tidings_engine::domain::planner::{plan_reminders, AllowedHours, RuleTiming};
use tidings_engine::domain::{
    AppointmentSource, AppointmentStatus, QuietHours, SetupInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, Preset, ReminderRuleInput};
use tidings_store::{ImportedAppointment, NewAuditEntry, Store};

const APPOINTMENTS: usize = 100_000;
const MESSAGES: usize = 1_000_000;

fn seed_appointments(path: &std::path::Path) {
    let store = Store::open(path).unwrap();
    let start = Utc.with_ymd_and_hms(2027, 1, 4, 14, 0, 0).unwrap();
    let rows: Vec<ImportedAppointment> = (0..APPOINTMENTS)
        .map(|i| {
            let starts_at =
                start + chrono::Duration::minutes(((i / 5) * 60) as i64 % (60 * 24 * 400));
            ImportedAppointment {
                existing_id: None,
                client_phone: format!("+1415555{:04}", i % 5000),
                client_name: format!("Client {}", i % 5000),
                service: None,
                staff: None,
                starts_at,
                ends_at: starts_at + chrono::Duration::minutes(45),
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
    let audit = NewAuditEntry {
        at: Utc::now(),
        actor: "bench",
        source: WriteSource::Import,
        entity: "appointment",
        entity_id: None,
        action: "seed",
        detail: serde_json::Value::Null,
    };
    store
        .apply_appointment_import(&rows, None, Utc::now(), audit, serde_json::Value::Null)
        .unwrap();
}

fn open(path: &std::path::Path) -> Engine {
    let engine = Engine::open(EngineConfig {
        db_path: path.to_owned(),
        clock: Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap(),
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
    engine
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan_100k_appointments");
    group.sample_size(10);

    // The pure planner: 100,000 appointments, two rules, quiet hours in New York.
    let hours = AllowedHours {
        quiet: QuietHours::default(),
        no_sundays: true,
        zone: chrono_tz::America::New_York,
    };
    let rules = [
        RuleTiming {
            rule_id: 1,
            offset_minutes: 24 * 60,
            min_lead_minutes: 240,
        },
        RuleTiming {
            rule_id: 2,
            offset_minutes: 120,
            min_lead_minutes: 45,
        },
    ];
    let now = Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap();
    let starts: Vec<_> = (0..APPOINTMENTS)
        .map(|i| now + chrono::Duration::minutes(60 + (i as i64 * 37) % (60 * 24 * 365)))
        .collect();
    group.bench_function("domain_planner", |b| {
        b.iter(|| {
            starts
                .iter()
                .map(|s| plan_reminders(*s, &rules, &hours, now).len())
                .sum::<usize>()
        })
    });

    // The engine: one click on a preset re-plans every upcoming appointment in the database.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    seed_appointments(&path);
    let engine = open(&path);
    group.sampling_mode(criterion::SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(1));
    group.bench_function("engine_apply_preset", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let preset = if i % 2 == 0 {
                    Preset::Standard
                } else {
                    Preset::Light
                };
                let t = Instant::now();
                engine
                    .apply_preset(preset, WriteSource::Ui, "bench")
                    .unwrap();
                total += t.elapsed();
            }
            total
        })
    });
    // Editing a rule's timing (24 hours before, then 25): every waiting reminder of it moves
    // to its new time.
    engine
        .apply_preset(Preset::Light, WriteSource::Ui, "bench")
        .unwrap();
    group.bench_function("engine_edit_rule_timing", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let rule = engine.reminder_rules().unwrap().remove(0);
                let hours = if i % 2 == 0 { 25 } else { 24 };
                let t = Instant::now();
                engine
                    .save_reminder_rule(
                        &ReminderRuleInput {
                            id: Some(rule.id),
                            name: rule.name,
                            offset_minutes: hours * 60,
                            min_lead_minutes: rule.min_lead_minutes,
                            template_id: rule.template_id,
                            asks_confirmation: rule.asks_confirmation,
                            enabled: true,
                        },
                        WriteSource::Ui,
                        "bench",
                    )
                    .unwrap();
                total += t.elapsed();
            }
            total
        })
    });
    group.finish();
    drop(engine);

    // One idle pass with a million messages stored: nothing due, so it must not scan them.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut insert = conn
            .prepare(
                "INSERT INTO messages (direction, client_id, appointment_id, purpose, automated, to_number,
                    body, status, send_at, planned_for, sent_at, segments, created_at, updated_at)
                 VALUES ('outbound', ?1, ?2, 'service', 1, '+14155550000', 'Reminder', ?3, ?4, ?4, ?4, 1, ?4, ?4)",
            )
            .unwrap();
        for i in 0..MESSAGES {
            let at = (now - chrono::Duration::minutes(i as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let status = if i % 10 == 0 {
                "suppressed"
            } else {
                "delivered"
            };
            insert
                .execute(rusqlite::params![
                    (i % 5000) as i64 + 1,
                    (i % APPOINTMENTS) as i64 + 1,
                    status,
                    at
                ])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    drop(conn);
    let engine = open(&path);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("scheduler_1m_messages");
    group.bench_function("idle_tick", |b| {
        b.iter(|| runtime.block_on(engine.tick()).unwrap())
    });
    group.bench_function("next_due", |b| b.iter(|| engine.next_due().unwrap()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
