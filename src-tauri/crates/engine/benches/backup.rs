//! How long a verified backup takes, and how big it is, with 1,000,000 texts stored.
//!
//! Run: `cargo bench -p tidings-engine --bench backup`

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use tidings_engine::domain::{SetupInput, WriteSource};
use tidings_engine::{Engine, EngineConfig};

const MESSAGES: usize = 1_000_000;
const CLIENTS: usize = 5_000;

fn seed(path: &std::path::Path) {
    drop(Engine::open(EngineConfig::new(path.to_owned())).unwrap());
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    {
        let now = Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap();
        let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut client = conn
            .prepare(
                "INSERT INTO clients (name, phone, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            )
            .unwrap();
        for i in 0..CLIENTS {
            client
                .execute(rusqlite::params![
                    format!("Client {i}"),
                    format!("+1415555{i:04}"),
                    stamp
                ])
                .unwrap();
        }
        let mut message = conn
            .prepare(
                "INSERT INTO messages (direction, client_id, purpose, automated, to_number, body, status,
                    send_at, sent_at, provider_id, segments, created_at, updated_at)
                 VALUES ('outbound', ?1, 'service', 1, ?2, ?3, 'delivered', ?4, ?4, ?5, 1, ?4, ?4)",
            )
            .unwrap();
        for i in 0..MESSAGES {
            let at = (now - chrono::Duration::minutes(i as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            message
                .execute(rusqlite::params![
                    (i % CLIENTS) as i64 + 1,
                    format!("+1415555{:04}", i % CLIENTS),
                    "Quay Clinic: your appointment is on Thursday 7 January at 10:00. Reply YES to confirm or NO to change it. Reply STOP to opt out.",
                    at,
                    format!("SB{i:032x}"),
                ])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    seed(&path);
    let engine = Engine::open(EngineConfig::new(path.clone())).unwrap();
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
    let db_bytes = std::fs::metadata(&path).unwrap().len();
    let mut group = c.benchmark_group("backup_1m_texts");
    group
        .sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .measurement_time(Duration::from_secs(1));
    let mut n = 0;
    let mut size = 0;
    group.bench_function("verified_backup", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let target = dir.path().join(format!("copy-{n}.sqlite3"));
                let t = Instant::now();
                let made = engine.backup_to(&target, "manual").unwrap();
                total += t.elapsed();
                size = made.bytes;
                std::fs::remove_file(&target).unwrap();
            }
            total
        })
    });
    group.finish();
    println!(
        "database {:.1} MB, backup {:.1} MB",
        db_bytes as f64 / 1e6,
        size as f64 / 1e6
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
