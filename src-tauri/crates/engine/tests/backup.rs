//! Backups on real files: consistent while the engine writes, verified, recorded, pruned,
//! taken daily, and a copy before every schema change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use tidings_engine::domain::{ClientInput, SettingsUpdate, SetupInput, WriteSource};
use tidings_engine::{Engine, EngineConfig, ErrorCode, FixedClock};
use tidings_store::{inspect_backup, StoreError};

fn desk(dir: &tempfile::TempDir) -> (Arc<Engine>, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    ));
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("data/tidings.sqlite3"),
        clock: clock.clone(),
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    (Arc::new(engine), clock)
}

fn add_client(engine: &Engine, n: u32) {
    engine
        .create_client(
            &ClientInput {
                name: format!("Client {n}"),
                phone: format!("07400 {:06}", 100_000 + n),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
}

#[test]
fn a_backup_taken_while_the_engine_writes_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = desk(&dir);
    for n in 0..50 {
        add_client(&engine, n);
    }
    let writer = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            for n in 50..400 {
                add_client(&engine, n);
            }
        })
    };
    let mut sizes = Vec::new();
    for i in 0..5 {
        let target = dir.path().join(format!("copies/copy-{i}.sqlite3"));
        let made = engine.backup_to(&target, "manual").unwrap();
        assert!(made.verified);
        let contents = inspect_backup(&target).unwrap();
        assert!(contents.counts.get("clients") >= 50);
        sizes.push(contents.counts.get("clients"));
    }
    writer.join().unwrap();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");
    let last = dir.path().join("copies/final.sqlite3");
    engine.backup_to(&last, "manual").unwrap();
    assert_eq!(inspect_backup(&last).unwrap().counts.get("clients"), 400);
}

#[test]
fn backups_are_recorded_shown_and_taken_daily() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock) = desk(&dir);
    add_client(&engine, 1);
    let status = engine.backup_status().unwrap();
    assert!(status.last_good.is_none());
    assert!(status.overdue);

    let first = engine.backup_if_due().unwrap().expect("a first backup");
    assert!(
        first
            .path
            .contains("data/backups/tidings-20270104-090000.sqlite3"),
        "{}",
        first.path
    );
    assert!(
        engine.backup_if_due().unwrap().is_none(),
        "not twice in a day"
    );
    let status = engine.backup_status().unwrap();
    assert_eq!(status.last_good.unwrap().path, first.path);
    assert!(!status.overdue);

    clock.advance(Duration::hours(25));
    assert!(engine.backup_if_due().unwrap().is_some());
    clock.advance(Duration::days(4));
    assert!(engine.backup_status().unwrap().overdue, "warn after 3 days");

    // A folder chosen in Settings is used from then on.
    let usb = dir.path().join("usb");
    engine
        .update_settings(
            &SettingsUpdate {
                backup_folder: Some(usb.display().to_string()),
                ..SettingsUpdate::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    let made = engine.backup_now("manual").unwrap();
    assert!(made.path.starts_with(&usb.display().to_string()));
}

#[test]
fn old_backups_are_pruned_to_fourteen_daily_and_six_monthly() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock) = desk(&dir);
    for _ in 0..120 {
        engine.backup_now("daily").unwrap();
        clock.advance(Duration::days(1));
    }
    let folder = engine.backup_folder().unwrap();
    let files = std::fs::read_dir(&folder).unwrap().count();
    // 14 daily, plus the newest of the 4 older months the 120 days reach (one month overlaps).
    assert!((14..=20).contains(&files), "{files} files kept");
    assert_eq!(engine.backup_status().unwrap().recent.len(), 20.min(files));
}

#[test]
fn broken_and_newer_backups_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = desk(&dir);
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, b"not a database at all").unwrap();
    assert!(matches!(
        inspect_backup(&junk),
        Err(StoreError::Corrupt { .. })
    ));
    assert_eq!(std::fs::read(&junk).unwrap(), b"not a database at all");

    let newer = dir.path().join("newer.sqlite3");
    engine.backup_to(&newer, "manual").unwrap();
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&newer).unwrap();
    assert!(matches!(
        inspect_backup(&newer),
        Err(StoreError::TooNew { found: 99, .. })
    ));
    assert_eq!(std::fs::read(&newer).unwrap(), before);

    // A target that already exists is never overwritten.
    let err = engine.backup_to(&newer, "manual").unwrap_err().payload();
    assert_eq!(err.code, ErrorCode::DataFolder);
    assert_eq!(std::fs::read(&newer).unwrap(), before);
}

#[test]
fn a_copy_is_taken_before_the_schema_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    drop(Engine::open(EngineConfig::new(path.clone())).unwrap());
    let latest = tidings_store::schema_version_supported();
    {
        // Make it look like the previous version: one migration behind.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DROP TABLE backups").unwrap();
        conn.pragma_update(None, "user_version", latest - 1)
            .unwrap();
    }
    drop(Engine::open(EngineConfig::new(path.clone())).unwrap());
    let copy = path.with_extension(format!("before-schema-{latest}.sqlite3"));
    assert!(copy.exists(), "no copy at {}", copy.display());
    assert_eq!(inspect_backup(&copy).unwrap().schema_version, latest - 1);
}
