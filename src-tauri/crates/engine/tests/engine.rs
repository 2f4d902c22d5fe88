//! The engine over a real database file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use tidings_engine::domain::{Change, ProviderKind, SettingsUpdate, SetupInput, WriteSource};
use tidings_engine::{Clock, Engine, EngineConfig, ErrorCode, FixedClock};

fn open_engine(dir: &tempfile::TempDir) -> (Engine, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap(),
    ));
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("tidings.sqlite3"),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    (engine, clock)
}

fn setup() -> SetupInput {
    SetupInput {
        business_name: "Harbour Hair".into(),
        timezone: "Europe/London".into(),
        phone_region: "GB".into(),
        business_phone: None,
    }
}

#[test]
fn setup_is_saved_stamped_with_the_clock_and_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock) = open_engine(&dir);
    let mut changes = engine.subscribe();
    assert!(!engine.settings().unwrap().is_setup_complete());

    let saved = engine
        .complete_setup(&setup(), WriteSource::Ui, "desk")
        .unwrap();
    assert_eq!(saved.setup_completed_at, Some(clock.now()));
    let batch = changes.try_recv().unwrap();
    assert_eq!(batch.source, WriteSource::Ui);
    assert_eq!(batch.changes, vec![Change::Settings]);
    assert!(changes.try_recv().is_err(), "exactly one batch per write");

    drop(engine);
    let (reopened, _) = open_engine(&dir);
    let settings = reopened.settings().unwrap();
    assert_eq!(settings.business_name, "Harbour Hair");
    assert_eq!(settings.timezone, "Europe/London");
    let audit = reopened.recent_audit(5).unwrap();
    assert_eq!(audit[0].action, "setup");
    assert_eq!(audit[0].actor, "desk");
}

#[test]
fn an_invalid_update_changes_nothing_and_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = open_engine(&dir);
    engine
        .complete_setup(&setup(), WriteSource::Ui, "desk")
        .unwrap();
    let mut changes = engine.subscribe();
    let before = engine.settings().unwrap();

    let err = engine
        .update_settings(
            &SettingsUpdate {
                business_name: Some("Harbour Hair & Beauty".into()),
                timezone: Some("Europe/Atlantis".into()),
                ..SettingsUpdate::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap_err();
    let payload = err.payload();
    assert_eq!(payload.code, ErrorCode::InvalidInput);
    assert_eq!(payload.field.as_deref(), Some("timezone"));
    assert_eq!(engine.settings().unwrap(), before, "nothing half-written");
    assert!(changes.try_recv().is_err());
}

#[test]
fn cli_writes_are_tagged_as_cli() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = open_engine(&dir);
    let mut changes = engine.subscribe();
    engine
        .update_settings(
            &SettingsUpdate::from_key_value("timezone", "America/New_York").unwrap(),
            WriteSource::Cli,
            "cli",
        )
        .unwrap();
    assert_eq!(changes.try_recv().unwrap().source, WriteSource::Cli);
    assert_eq!(engine.recent_audit(1).unwrap()[0].source, "cli");
}

#[test]
fn doctor_reports_schema_and_sandbox_provider() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = open_engine(&dir);
    let report = engine.doctor().unwrap();
    assert_eq!(report.schema_version, report.schema_version_supported);
    assert!(report.schema_version >= 1);
    assert_eq!(report.provider, ProviderKind::Sandbox);
    assert!(report.sandbox);
    assert!(!report.setup_complete);
    assert!(report.db_path.ends_with("tidings.sqlite3"));
}

#[test]
fn a_damaged_database_reaches_the_ui_as_a_stable_code() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    std::fs::write(&path, vec![0x5Au8; 4096]).unwrap();
    let err = Engine::open(EngineConfig::new(path)).unwrap_err();
    assert_eq!(err.payload().code, ErrorCode::DatabaseCorrupt);
}

#[test]
fn writes_from_another_process_are_announced_as_its_own_changes() {
    let dir = tempfile::tempdir().unwrap();
    // The app, and the command line: two engines on one file, as two processes are.
    let (app, _) = open_engine(&dir);
    app.complete_setup(&setup(), WriteSource::Ui, "desk")
        .unwrap();
    let (cli, _) = open_engine(&dir);
    let mut seen = app.subscribe();
    let (mut version, mut cursor) = (None, 0);
    // Whatever was there before the watch began is not news.
    app.announce_foreign_changes(&mut version, &mut cursor)
        .unwrap();
    while seen.try_recv().is_ok() {}

    // Nothing written elsewhere: nothing announced.
    assert_eq!(
        app.announce_foreign_changes(&mut version, &mut cursor)
            .unwrap(),
        0
    );
    assert!(seen.try_recv().is_err());

    // The command line adds a client: the app announces exactly what it changed.
    let client = cli
        .create_client(
            &tidings_engine::domain::ClientInput {
                name: "Ann Lee".into(),
                phone: "07400 123001".into(),
                ..Default::default()
            },
            WriteSource::Cli,
            "cli",
        )
        .unwrap();
    assert_eq!(
        app.announce_foreign_changes(&mut version, &mut cursor)
            .unwrap(),
        1
    );
    let batch = seen.try_recv().unwrap();
    assert_eq!(batch.source, WriteSource::Cli);
    assert_eq!(batch.changes, vec![Change::Client { id: client.id }]);
    assert!(seen.try_recv().is_err());

    // The app's own writes are never announced twice.
    app.update_settings(
        &SettingsUpdate {
            business_name: Some("Harbour Hair & Beauty".into()),
            ..SettingsUpdate::default()
        },
        WriteSource::Ui,
        "desk",
    )
    .unwrap();
    assert_eq!(seen.try_recv().unwrap().changes, vec![Change::Settings]);
    assert_eq!(
        app.announce_foreign_changes(&mut version, &mut cursor)
            .unwrap(),
        0
    );
    assert!(seen.try_recv().is_err());

    // Another program writes without saying what: everything shown is read again.
    let raw = rusqlite::Connection::open(dir.path().join("tidings.sqlite3")).unwrap();
    raw.execute("UPDATE clients SET notes = 'edited elsewhere'", [])
        .unwrap();
    assert_eq!(
        app.announce_foreign_changes(&mut version, &mut cursor)
            .unwrap(),
        1
    );
    assert_eq!(seen.try_recv().unwrap().changes, Change::everything());
}
