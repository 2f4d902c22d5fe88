//! The store against real SQLite files on disk.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::Path;

use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use tidings_domain::{Settings, SetupInput, WriteSource};
use tidings_store::{
    schema_version_supported, NewAuditEntry, NewSandboxRecord, SandboxDirection, Store, StoreError,
};

/// The moment these tests happen at: none reads the computer's clock.
fn pinned_now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
}

fn audit<'a>() -> NewAuditEntry<'a> {
    NewAuditEntry {
        at: Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
        actor: "desk",
        source: WriteSource::Ui,
        entity: "settings",
        entity_id: None,
        action: "update",
        detail: serde_json::Value::Null,
    }
}

fn table_names(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_new_database_is_migrated_to_the_latest_schema_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/data/tidings.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema_version_supported());
    assert!(schema_version_supported() >= 1);
    drop(store);

    let names = table_names(&path);
    for table in ["audit_log", "sandbox_messages", "settings"] {
        assert!(
            names.contains(&table.to_owned()),
            "{table} missing: {names:?}"
        );
    }
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn reopening_keeps_data_and_applies_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    let store = Store::open(&path).unwrap();
    let next = Settings::default()
        .complete_setup(
            &SetupInput {
                business_name: "Harbour Hair".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: None,
            },
            pinned_now(),
        )
        .unwrap();
    store.save_settings(&next, audit()).unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema_version_supported());
    assert_eq!(store.load_settings().unwrap(), next);
}

#[cfg(unix)]
#[test]
fn the_database_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    drop(Store::open(&path).unwrap());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // An existing file with loose permissions is tightened on open.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Store::open(&path).unwrap());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    drop(Store::open(&path).unwrap());
    let newer = schema_version_supported() + 3;
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", newer).unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::TooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, newer);
            assert_eq!(*supported, schema_version_supported());
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert!(err.to_string().contains("newer version of Tidings"));
    assert_eq!(std::fs::read(&path).unwrap(), before, "file was modified");
    assert!(!dir.path().join("tidings.sqlite3-wal").exists());
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();

    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("has not changed it"));
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn a_damaged_database_fails_the_integrity_check_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA page_size = 4096;
             CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT);
             CREATE INDEX filler_body ON filler (body);",
        )
        .unwrap();
        for i in 0..2000 {
            conn.execute(
                "INSERT INTO filler (body) VALUES (?1)",
                [format!("row {i} {}", "x".repeat(40))],
            )
            .unwrap();
        }
    }
    // Scribble over the middle of the file: the B-tree pages no longer add up.
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 4096] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();

    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn an_unusable_data_folder_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"a file where a folder should be").unwrap();
    let err = Store::open(&blocker.join("tidings.sqlite3")).unwrap_err();
    assert!(matches!(err, StoreError::DataFolder { .. }), "{err:?}");
    assert!(err.to_string().contains("data folder"));
}

#[test]
fn settings_changes_are_audited_with_from_and_to() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    let mut next = store.load_settings().unwrap();
    assert_eq!(next, Settings::default());
    next.business_name = "Harbour Hair".into();

    let changed = store.save_settings(&next, audit()).unwrap();
    assert_eq!(changed, vec!["business_name".to_owned()]);
    // Saving the same values again writes nothing.
    assert!(store.save_settings(&next, audit()).unwrap().is_empty());

    let entries = store.recent_audit(10).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].source, "ui");
    assert_eq!(
        entries[0].detail["business_name"],
        serde_json::json!({"from": "", "to": "Harbour Hair"})
    );
}

#[test]
fn the_audit_log_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite3");
    let store = Store::open(&path).unwrap();
    let mut next = store.load_settings().unwrap();
    next.business_name = "Harbour Hair".into();
    store.save_settings(&next, audit()).unwrap();
    drop(store);

    let conn = Connection::open(&path).unwrap();
    let update = conn.execute("UPDATE audit_log SET actor = 'someone else'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.execute("DELETE FROM audit_log", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let count: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
}

#[test]
fn sandbox_records_are_kept_once_per_provider_id() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    let new = NewSandboxRecord {
        provider_id: "SB0001",
        direction: SandboxDirection::Outbound,
        from_number: "+447700900000",
        to_number: "+447700900123",
        body: "See you at 10:00",
        status: "delivered",
        send_at: None,
        created_at: pinned_now(),
    };
    let first = store.insert_sandbox_record(&new).unwrap();
    let again = store
        .insert_sandbox_record(&NewSandboxRecord {
            body: "different",
            ..new.clone()
        })
        .unwrap();
    assert_eq!(first, again);
    let all = store
        .sandbox_records_after(SandboxDirection::Outbound, 0, 10)
        .unwrap();
    assert_eq!(all.len(), 1);
    assert!(store
        .sandbox_records_after(SandboxDirection::Inbound, 0, 10)
        .unwrap()
        .is_empty());
}

fn valid_client(phone: &str) -> tidings_domain::ValidClient {
    tidings_domain::ValidClient {
        name: "Ann Lee".into(),
        phone: phone.into(),
        timezone: None,
        notes: String::new(),
        language: None,
    }
}

#[test]
fn the_consent_ledger_and_disclosures_refuse_updates_and_deletes() {
    use tidings_domain::{ConsentAction, ConsentChannel, Purpose};
    use tidings_store::NewConsentEvent;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite3");
    let store = Store::open(&path).unwrap();
    let client = store
        .insert_client(&valid_client("+447400123001"), pinned_now(), audit())
        .unwrap();
    let disclosure = store
        .current_disclosures()
        .unwrap()
        .into_iter()
        .find(|d| d.purpose == Purpose::Service)
        .unwrap();
    let event = store
        .append_consent(&NewConsentEvent {
            client_id: client.id,
            purpose: Purpose::Service,
            action: ConsentAction::Granted,
            channel: ConsentChannel::FrontDeskVerbal,
            disclosure: &disclosure,
            business_name: "Harbour Hair",
            recorded_by: "Sam",
            occurred_at: pinned_now(),
            recorded_at: pinned_now(),
            evidence: None,
            message_id: None,
        })
        .unwrap();
    assert!(event
        .disclosure_text
        .starts_with("Harbour Hair will text you"));
    drop(store);

    let conn = Connection::open(&path).unwrap();
    for sql in [
        "UPDATE consent_events SET action = 'revoked'",
        "DELETE FROM consent_events",
        "UPDATE disclosures SET template = 'changed'",
        "DELETE FROM disclosures",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(
            err.contains("append-only") || err.contains("immutable"),
            "{sql}: {err}"
        );
    }
    // A client with consent history can't be deleted either (archive instead).
    assert!(conn.execute("DELETE FROM clients", []).is_err());
    let count: i64 = conn
        .query_row("SELECT count(*) FROM consent_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
}

#[test]
fn a_number_can_belong_to_one_client_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    store
        .insert_client(&valid_client("+447400123001"), pinned_now(), audit())
        .unwrap();
    assert!(store
        .insert_client(&valid_client("+447400123001"), pinned_now(), audit())
        .is_err());
    assert_eq!(store.count_clients().unwrap(), 1);
}

#[test]
fn inbox_counts_are_whole_totals_and_lists_stop_at_their_page() {
    use tidings_store::{InboundMarks, ThreadFilter};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    let at = Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap();
    for i in 0..620 {
        let marks = InboundMarks {
            needs_reply: i % 2 == 0,
            reschedule_requested: i % 10 == 0,
            possible_opt_out: i == 7,
        };
        store
            .thread_inbound(&format!("+4474009{i:05}"), None, "hello", marks, at)
            .unwrap();
    }
    let counts = store.conversation_counts().unwrap();
    assert_eq!(counts.open, 620);
    assert_eq!(counts.needs_reply, 310);
    assert_eq!(counts.reschedule, 62);
    assert_eq!(counts.possible_opt_out, 1);
    assert_eq!(counts.unknown, 620);
    // Only texts that ask something of staff arrive unread (310 needing a reply, one possible
    // opt-out among the others).
    assert_eq!(counts.unread, 311);
    let page = store.conversations(ThreadFilter::Open, 500).unwrap();
    assert_eq!(page.len(), 500);
    assert!(page[0].reschedule_requested, "reschedule requests first");
}

#[test]
fn the_insights_facts_are_filled_in_for_history_when_the_schema_updates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite3");
    {
        // A database from before migration 0012 (schema 11), with some history.
        let conn = Connection::open(&path).unwrap();
        for sql in &tidings_store::MIGRATIONS[..11] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 11).unwrap();
        // Only the messages matter here; the rows they point at are not needed.
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        let row = |direction: &str,
                   to: &str,
                   from: &str,
                   at: &str,
                   rule: Option<i64>,
                   by: Option<&str>| {
            conn.execute(
                "INSERT INTO messages (direction, client_id, rule_id, purpose, to_number, from_number,
                    status, sent_at, sent_by, created_at, updated_at)
                 VALUES (?1, 1, ?2, 'service', ?3, ?4, 'delivered', ?5, ?6, ?5, ?5)",
                rusqlite::params![direction, rule, to, from, at, by],
            )
            .unwrap();
            conn.last_insert_rowid()
        };
        let p = "+447400123001";
        row("outbound", p, "", "2027-03-01T09:00:00Z", Some(1), None); // a reminder
        row(
            "inbound",
            "+15555550100",
            p,
            "2027-03-01T10:00:00Z",
            None,
            None,
        ); // answers it, asks
        row("outbound", p, "", "2027-03-01T10:20:00Z", None, Some("Sam")); // staff answer
        row(
            "inbound",
            "+15555550100",
            p,
            "2027-03-01T11:00:00Z",
            None,
            None,
        ); // a new question
        row(
            "inbound",
            "+15555550100",
            p,
            "2027-03-01T11:05:00Z",
            None,
            None,
        ); // and more of it
    }
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let facts: Vec<(i64, Option<String>, i64, Option<String>)> = conn
        .prepare("SELECT id, replied_at, needs_answer, answered_at FROM messages ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        facts[0].1.as_deref(),
        Some("2027-03-01T10:00:00Z"),
        "reminder answered"
    );
    assert_eq!(
        (facts[1].2, facts[1].3.as_deref()),
        (1, Some("2027-03-01T10:20:00Z"))
    );
    assert_eq!(
        (facts[3].2, facts[3].3.as_deref()),
        (1, None),
        "waiting for staff"
    );
    assert_eq!(facts[4].2, 0, "a follow-on text is not a new question");
}

#[test]
fn insights_days_counted_before_a_restore_are_not_kept_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    let backup = dir.path().join("backup.sqlite3");
    store.backup_to(&backup).unwrap();
    let now = pinned_now();
    let day = tidings_store::DayWindow {
        day: "2027-03-01".into(),
        start: "2027-03-01T00:00:00Z".parse().unwrap(),
        end: "2027-03-02T00:00:00Z".parse().unwrap(),
    };
    let (counted, generation) = store
        .insights_count_days(std::slice::from_ref(&day))
        .unwrap();
    assert!(store.insights_keep_days(&counted, generation, now).unwrap());
    let kept = || {
        store
            .insights_kept_days("2027-03-01", "2027-03-01")
            .unwrap()
            .len()
    };
    assert_eq!(kept(), 1);

    // Counted from the old contents, then the backup (which kept no days) replaces them.
    let (counted, generation) = store.insights_count_days(&[day]).unwrap();
    store.restore_from(&backup, None).unwrap();
    assert!(!store.insights_keep_days(&counted, generation, now).unwrap());
    assert_eq!(kept(), 0);
}

/// Statuses are typed: a step that finds a text elsewhere than it expected is an error (never a
/// silent no-op), and a stored status the code does not know fails where it is read.
#[test]
fn a_transition_that_changes_nothing_is_an_error_and_unknown_statuses_are_refused() {
    use tidings_domain::MessageStatus;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite3");
    let store = Store::open(&path).unwrap();
    let now = pinned_now();
    let id = store
        .insert_direct_text(&tidings_store::NewDirectText {
            client_id: None,
            appointment_id: None,
            to: "+447400123001",
            body: "Hello",
            reason: "test_text",
            sent_by: None,
            segments: 1,
            encoding: "gsm7",
            now,
            language: None,
        })
        .unwrap();
    assert_eq!(
        store.message(id).unwrap().unwrap().status,
        MessageStatus::Sending
    );
    store
        .transition(
            id,
            MessageStatus::Sending,
            MessageStatus::Planned,
            None,
            None,
            now,
        )
        .unwrap();
    let err = store
        .transition(
            id,
            MessageStatus::Sending,
            MessageStatus::Cancelled,
            None,
            None,
            now,
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Moved { id: i, from: MessageStatus::Sending, to: MessageStatus::Cancelled } if i == id),
        "{err:?}"
    );
    assert_eq!(
        store.message(id).unwrap().unwrap().status,
        MessageStatus::Planned
    );

    // The schema refuses an unknown status; reading one (from any source) fails too.
    let raw = Connection::open_in_memory().unwrap();
    let read = |sql: &str| raw.query_row(sql, [], |r| r.get::<_, MessageStatus>(0));
    assert_eq!(
        read("SELECT 'retry_wait'").unwrap(),
        MessageStatus::RetryWait
    );
    assert!(read("SELECT 'teleported'").is_err());
}

/// A backup that cannot be brought up to this version's schema (here its version label is one
/// lower than its tables, so the last migration meets a table that is already there) is refused
/// before the live database is touched, and the message is one line.
#[test]
fn a_backup_that_cannot_be_updated_is_refused_and_the_live_database_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("t.sqlite3");
    let store = Store::open(&live).unwrap();
    let backup = dir.path().join("backup.sqlite3");
    store.backup_to(&backup).unwrap();
    let version: i64 = Connection::open(&backup)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    Connection::open(&backup)
        .unwrap()
        .pragma_update(None, "user_version", version - 1)
        .unwrap();
    store.kv_set("marker", "kept", pinned_now()).unwrap();

    let err = store.restore_from(&backup, None).unwrap_err();
    assert!(matches!(err, StoreError::Migration(_)), "{err:?}");
    assert_eq!(err.to_string().lines().count(), 1, "{err}");
    assert_eq!(store.kv_get("marker").unwrap().as_deref(), Some("kept"));
    let live_version: i64 = Connection::open(&live)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(live_version, version);
    assert!(
        !dir.path().join("t.restoring.sqlite3").exists(),
        "the staged copy is gone"
    );
}
