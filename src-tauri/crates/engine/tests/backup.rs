//! Backups on real files: consistent while the engine writes, verified, recorded, pruned,
//! taken daily, and a copy before every schema change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, Client, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    ConsentState, Purpose, SettingsUpdate, SetupInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, ErrorCode, FixedClock};
use tidings_store::{inspect_backup, StoreError};

fn desk(dir: &tempfile::TempDir) -> (Arc<Engine>, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
    ));
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("data/tidings.sqlite3"),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: None,
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

/// The Light preset, and Client 1 with consent for appointment texts (on a paper form,
/// recorded by Sam, with `evidence`) booked for 30 minutes on 7 January 2027 at 11:00 (with
/// `notes`). Returns the client and the appointment's start.
fn booked_client(
    engine: &Engine,
    evidence: Option<&str>,
    notes: Option<&str>,
) -> (Client, DateTime<Utc>) {
    engine
        .apply_preset(tidings_engine::Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    add_client(engine, 1);
    let client = engine.list_clients("", false).unwrap()[0].clone();
    engine
        .record_consent(
            &ConsentInput {
                client_id: client.id,
                purpose: Purpose::Service,
                action: ConsentAction::Granted,
                channel: ConsentChannel::PaperForm,
                recorded_by: "Sam".into(),
                occurred_at: None,
                evidence: evidence.map(Into::into),
            },
            WriteSource::Ui,
        )
        .unwrap();
    let start = Utc.with_ymd_and_hms(2027, 1, 7, 11, 0, 0).unwrap();
    engine
        .create_appointment(
            &AppointmentInput {
                client_id: client.id,
                starts_at: start,
                ends_at: start + Duration::minutes(30),
                service_id: None,
                staff_id: None,
                location: None,
                notes: notes.map(Into::into),
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    (client, start)
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
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(
        err.message.contains("already exists") && err.message.contains("never writes over"),
        "{}",
        err.message
    );
    assert_eq!(std::fs::read(&newer).unwrap(), before);
}

#[test]
fn a_copy_is_taken_before_the_schema_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    let latest = tidings_store::schema_version_supported();
    {
        // A database from the previous version: every migration but the newest.
        let conn = rusqlite::Connection::open(&path).unwrap();
        for sql in &tidings_store::MIGRATIONS[..tidings_store::MIGRATIONS.len() - 1] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", latest - 1)
            .unwrap();
    }
    drop(Engine::open(EngineConfig::new(path.clone())).unwrap());
    let copy = path.with_extension(format!("before-schema-{latest}.sqlite3"));
    assert!(copy.exists(), "no copy at {}", copy.display());
    assert_eq!(inspect_backup(&copy).unwrap().schema_version, latest - 1);
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn backup_change_restore_round_trips_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = desk(&dir);
    for n in 0..5 {
        add_client(&engine, n);
    }
    let before = engine.list_clients("", true).unwrap();
    let saved = engine.backup_now("manual").unwrap();

    // A mistaken bulk edit: one client archived, another renamed, a new one added.
    engine
        .set_client_archived(before[0].id, true, WriteSource::Ui, "desk")
        .unwrap();
    engine
        .update_client(
            before[1].id,
            &ClientInput {
                name: "Wrong Name".into(),
                phone: before[1].phone.clone(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    add_client(&engine, 99);

    let preview = engine
        .preview_restore(std::path::Path::new(&saved.path))
        .unwrap();
    assert_eq!(preview.clients, 5);
    let report = run(engine.restore(std::path::Path::new(&saved.path), WriteSource::Ui)).unwrap();
    assert_eq!(report.restored.clients, 5);
    assert_eq!(
        engine.list_clients("", true).unwrap(),
        before,
        "exactly as backed up"
    );

    // The state before the restore was kept, and the list of backups survived the restore.
    let safety = inspect_backup(std::path::Path::new(&report.safety_backup.path)).unwrap();
    assert_eq!(safety.counts.get("clients"), 6);
    let paths: Vec<String> = engine
        .backup_status()
        .unwrap()
        .recent
        .into_iter()
        .map(|b| b.path)
        .collect();
    assert!(paths.contains(&report.safety_backup.path) && paths.contains(&saved.path));
}

#[test]
fn a_broken_or_newer_backup_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = desk(&dir);
    add_client(&engine, 1);
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, vec![7u8; 5000]).unwrap();
    let err = run(engine.restore(&junk, WriteSource::Ui))
        .unwrap_err()
        .payload();
    assert_eq!(err.code, ErrorCode::DatabaseCorrupt);
    assert_eq!(engine.list_clients("", true).unwrap().len(), 1);
    assert!(
        engine.backup_status().unwrap().last_good.is_none(),
        "nothing was even backed up"
    );
}

#[test]
fn after_a_restore_no_text_is_sent_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock) = desk(&dir);
    let (client, start) = booked_client(&engine, None, None);
    // Saved while the reminder is still waiting.
    let saved = engine.backup_now("manual").unwrap();

    clock.set(start - Duration::hours(24));
    assert_eq!(run(engine.tick()).unwrap().sent.len(), 1);

    clock.advance(Duration::hours(1));
    let report = run(engine.restore(std::path::Path::new(&saved.path), WriteSource::Ui)).unwrap();
    assert_eq!(report.kept.texts, 1, "the text that went is kept as sent");
    assert_eq!(
        report.reconciled, 0,
        "so nothing was left to check with the carrier"
    );
    assert!(
        run(engine.tick()).unwrap().sent.is_empty(),
        "not sent again"
    );
    let sandbox = engine.sandbox().unwrap();
    let went = run(tidings_sms::Provider::messages_to(
        sandbox,
        &client.phone,
        start - Duration::days(3),
    ))
    .unwrap();
    assert_eq!(went.len(), 1);
}

#[test]
fn the_export_holds_every_table_field_by_field() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = desk(&dir);
    booked_client(&engine, Some("Form 17"), Some("Bring forms"));

    let target = dir.path().join("export.zip");
    let summary = engine.export_all(&target).unwrap();
    assert_eq!(
        (
            summary.clients,
            summary.appointments,
            summary.texts,
            summary.consent_events
        ),
        (1, 1, 1, 1)
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&target).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let field = |text: &str, column: &str| -> String {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let i = r
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == column)
            .unwrap();
        r.records().next().unwrap().unwrap()[i].to_owned()
    };
    let clients = read("clients.csv");
    assert_eq!(field(&clients, "name"), "Client 1");
    assert_eq!(field(&clients, "phone"), "+447400100001");
    assert_eq!(field(&clients, "service_consent"), "granted");
    assert_eq!(field(&clients, "marketing_consent"), "none");
    let appointments = read("appointments.csv");
    assert_eq!(field(&appointments, "starts_at"), "2027-01-07T11:00:00Z");
    assert_eq!(field(&appointments, "timezone"), "Europe/London");
    assert_eq!(field(&appointments, "status"), "booked");
    assert_eq!(field(&appointments, "notes"), "Bring forms");
    let ics = read("appointments.ics");
    assert!(
        ics.contains("DTSTART:20270107T110000Z") && ics.contains("SUMMARY:Client 1"),
        "{ics}"
    );
    let texts = read("texts.csv");
    assert_eq!(field(&texts, "status"), "planned");
    assert_eq!(field(&texts, "to"), "+447400100001");
    assert_eq!(field(&texts, "send_at"), "2027-01-06T11:00:00Z");
    let consent = read("consent.csv");
    assert_eq!(field(&consent, "channel"), "paper_form");
    assert_eq!(field(&consent, "evidence"), "Form 17");
    assert!(field(&consent, "disclosure_text").starts_with("Quay will text you"));
    let json: serde_json::Value = serde_json::from_str(&read("consent.json")).unwrap();
    assert_eq!(json[0]["event"]["recorded_by"], "Sam");
    assert!(read("README.txt").contains("consent.csv"));

    // An existing file is never overwritten.
    assert!(engine.export_all(&target).is_err());
}

/// Texts the Sandbox carrier took for a number, oldest first.
fn carried_to(engine: &Engine, phone: &str) -> Vec<String> {
    run(tidings_sms::Provider::messages_to(
        engine.sandbox().unwrap(),
        phone,
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    ))
    .unwrap()
    .into_iter()
    .map(|r| r.body)
    .collect()
}

/// A restore rolls the desk's records back, not what happened: texts that went stay sent,
/// replies stay read (and are not answered again), and an opt-out stays, even for a client the
/// backup does not have.
#[test]
fn a_restore_keeps_texts_that_went_replies_read_and_opt_outs() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock) = desk(&dir);
    let (client, start) = booked_client(&engine, None, Some("as booked"));
    let saved = engine.backup_now("manual").unwrap();
    let sandbox = engine.sandbox().unwrap();

    // After the backup: a question (answered with the holding reply), the reminder, a STOP
    // (answered with its confirmation), a note changed, and a new client who texts STOP.
    sandbox
        .customer_sends(&client.phone, "Is there parking near you?")
        .unwrap();
    run(engine.poll_inbound()).unwrap();
    clock.set(start - Duration::hours(24));
    assert_eq!(run(engine.tick()).unwrap().sent.len(), 1);
    sandbox.customer_sends(&client.phone, "STOP").unwrap();
    run(engine.poll_inbound()).unwrap();
    let appt = engine
        .appointments_between(start - Duration::hours(1), start + Duration::hours(1), None)
        .unwrap()[0]
        .clone();
    engine
        .update_appointment(
            appt.id,
            &AppointmentInput {
                client_id: client.id,
                starts_at: appt.starts_at,
                ends_at: appt.ends_at,
                service_id: None,
                staff_id: None,
                location: None,
                notes: Some("changed by mistake".into()),
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    add_client(&engine, 2);
    let newcomer = engine.list_clients("Client 2", false).unwrap()[0].clone();
    sandbox.customer_sends(&newcomer.phone, "STOP").unwrap();
    run(engine.poll_inbound()).unwrap();
    let went = carried_to(&engine, &client.phone).len();
    assert_eq!(went, 3, "holding reply, reminder, STOP confirmation");

    clock.advance(Duration::minutes(30));
    let report = run(engine.restore(std::path::Path::new(&saved.path), WriteSource::Ui)).unwrap();
    assert_eq!(
        report.kept.texts, 4,
        "holding reply, reminder, and both STOP confirmations"
    );
    assert_eq!(report.kept.replies, 3, "the question and two STOPs");
    assert_eq!(
        report.kept.consent_events, 2,
        "the client's STOP, for both purposes"
    );

    // The desk's own records are as backed up.
    assert_eq!(engine.appointment(appt.id).unwrap().notes, "as booked");
    assert!(engine.list_clients("Client 2", true).unwrap().is_empty());
    // What happened stays.
    let detail = engine.client_detail(client.id).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    let thread = engine
        .inbox(tidings_engine::InboxFilter::All)
        .unwrap()
        .threads
        .into_iter()
        .find(|t| t.client_name.as_deref() == Some(client.name.as_str()))
        .unwrap();
    assert_eq!(thread.last_preview, "STOP");

    // Nothing is read, answered or sent again.
    for _ in 0..3 {
        run(engine.tick()).unwrap();
        clock.advance(Duration::minutes(10));
    }
    assert_eq!(carried_to(&engine, &client.phone).len(), went);
    assert_eq!(
        engine
            .inbox(tidings_engine::InboxFilter::All)
            .unwrap()
            .threads
            .len(),
        2
    );

    // The newcomer's STOP stands for their number when they are added again.
    add_client(&engine, 2);
    let again = engine.list_clients("Client 2", false).unwrap()[0].clone();
    assert_eq!(
        engine
            .client_detail(again.id)
            .unwrap()
            .client
            .consent
            .service,
        ConsentState::Revoked
    );
}

/// A backup of another desk's database shares no history with this one: nothing is carried
/// into it (its clients are not ours, nor our texts theirs).
#[test]
fn restoring_another_databases_backup_carries_nothing_over() {
    let ours = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    let (engine, clock) = desk(&ours);
    let (client, start) = booked_client(&engine, None, None);
    let (other, _) = desk(&theirs);
    add_client(&other, 7);
    add_client(&other, 8);
    let saved = other.backup_now("manual").unwrap();

    clock.set(start - Duration::hours(24));
    assert_eq!(run(engine.tick()).unwrap().sent.len(), 1);
    engine
        .sandbox()
        .unwrap()
        .customer_sends(&client.phone, "STOP")
        .unwrap();
    run(engine.poll_inbound()).unwrap();

    let report = run(engine.restore(std::path::Path::new(&saved.path), WriteSource::Ui)).unwrap();
    assert_eq!(report.kept, tidings_engine::KeptAfterBackup::default());
    let names: Vec<String> = engine
        .list_clients("", true)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Client 7", "Client 8"]);
    assert!(engine
        .inbox(tidings_engine::InboxFilter::All)
        .unwrap()
        .threads
        .is_empty());
}
