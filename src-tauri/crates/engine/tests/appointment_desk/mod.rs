//! A desk for the appointment tests: Quay Clinic in New York, the shared fixture files, and
//! importing a file the way the desk does.

// Each test file uses its own share of these.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use tidings_engine::domain::{SetupInput, WriteSource};
use tidings_engine::{AppointmentImportOptions, Engine, EngineConfig, FixedClock};

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("../../../tests/fixtures")
            .join(name),
    )
    .unwrap()
}

pub fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub fn desk(dir: &tempfile::TempDir) -> Engine {
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("tidings.sqlite3"),
        clock: Arc::new(FixedClock::new(utc(2027, 3, 1, 12, 0))),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
}

pub fn import(engine: &Engine, bytes: &[u8]) -> tidings_engine::AppointmentImportReport {
    engine
        .import_appointments(
            bytes,
            &AppointmentImportOptions::default(),
            false,
            WriteSource::Import,
            "desk",
        )
        .unwrap()
}

pub fn rows(list: &[tidings_engine::domain::import::SkippedRow]) -> Vec<u32> {
    list.iter().map(|s| s.row).collect()
}
