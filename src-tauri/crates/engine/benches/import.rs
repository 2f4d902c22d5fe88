//! How long a 50,000-row client import takes, end to end: read and decode the CSV, check every
//! number, plan against the clients already there, and write it all in one transaction to a
//! real database file. Also a re-import of the same file (every row unchanged).
//!
//! Run: `cargo bench -p tidings-engine --bench import`

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use tidings_engine::domain::import::ImportReport;
use tidings_engine::domain::{SetupInput, WriteSource};
use tidings_engine::{Engine, EngineConfig, FixedClock, ImportOptions};

const ROWS: usize = 50_000;

/// A realistic export: first/last/mobile/notes, mixed number formats, a few bad rows.
fn client_file() -> Vec<u8> {
    let mut out = String::from("First Name,Last Name,Mobile,Notes\r\n");
    for i in 0..ROWS {
        let number = 100_000 + i;
        let phone = match i % 4 {
            0 => format!("07400 {number:06}"),
            1 => format!("+44 7400 {number:06}"),
            2 => format!("(07400) {}-{}", number / 1000, number % 1000),
            _ => format!("0044 7400{number:06}"),
        };
        let phone = if i % 997 == 0 {
            "not given".to_owned()
        } else {
            phone
        };
        out.push_str(&format!(
            "Client{i},Surname{},{phone},\"Prefers {} appointments\"\r\n",
            i % 311,
            if i % 2 == 0 { "morning" } else { "afternoon" }
        ));
    }
    out.into_bytes()
}

fn desk(dir: &tempfile::TempDir) -> Engine {
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("tidings.sqlite3"),
        clock: Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
        )),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Harbour Hair".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "bench",
        )
        .unwrap();
    engine
}

fn import(engine: &Engine, bytes: &[u8]) -> ImportReport {
    engine
        .import_clients(
            bytes,
            &ImportOptions::default(),
            false,
            WriteSource::Import,
            "bench",
            &mut |_, _| {},
        )
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let bytes = client_file();
    let mut group = c.benchmark_group("import_50k_clients");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));

    group.bench_function("into_empty_database", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let engine = desk(&dir);
                (dir, engine)
            },
            |(dir, engine)| {
                let report = import(&engine, &bytes);
                assert_eq!(report.imported as usize + report.skipped.len(), ROWS);
                (dir, engine)
            },
            BatchSize::PerIteration,
        )
    });

    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    import(&engine, &bytes);
    group.bench_function("reimport_unchanged", |b| {
        b.iter(|| {
            let report = import(&engine, &bytes);
            assert_eq!(report.imported, 0);
        })
    });

    group.bench_function("preview_only", |b| {
        b.iter(|| {
            engine
                .preview_import(&bytes, &ImportOptions::default())
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
