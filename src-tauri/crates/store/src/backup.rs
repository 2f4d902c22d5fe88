//! Backups: a consistent copy of the live database taken on a second connection (so the app
//! keeps working), checked after writing, and the record of every backup made.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OpenFlags};

use crate::appointments::stamp;
use crate::clients::time;
use crate::open::user_version;
use crate::{schema_version_supported, Store, StoreError};

/// A row of `backups`: path, bytes, created, reason, verified, error.
type MadeBackup = (String, i64, String, String, i64, Option<String>);

/// The tables whose rows a backup must hold, and that a restore preview shows.
pub const COUNTED_TABLES: [&str; 5] = [
    "clients",
    "appointments",
    "messages",
    "consent_events",
    "audit_log",
];

/// How many rows of each counted table, and the highest id when the backup began.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableCounts(pub Vec<(String, i64, i64)>);

impl TableCounts {
    pub fn get(&self, table: &str) -> i64 {
        self.0
            .iter()
            .find(|(t, _, _)| t == table)
            .map_or(0, |(_, n, _)| *n)
    }
}

fn counts(conn: &Connection) -> Result<TableCounts, StoreError> {
    let mut out = Vec::new();
    for table in COUNTED_TABLES {
        let (n, max): (i64, i64) = conn.query_row(
            &format!("SELECT count(*), coalesce(max(id), 0) FROM {table}"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        out.push((table.to_owned(), n, max));
    }
    Ok(TableCounts(out))
}

/// A backup file as read back: its schema and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupContents {
    pub schema_version: u32,
    pub counts: TableCounts,
}

/// Opens a backup read-only and checks it: a SQLite database that passes its integrity
/// check, from this version of Tidings or an older one. The file is never changed.
pub fn inspect_backup(path: &Path) -> Result<BackupContents, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_owned(),
        detail,
    };
    if !path.is_file() {
        return Err(corrupt("there is no file there".into()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| corrupt(e.to_string()))?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => {
                corrupt("it is not a SQLite database".into())
            }
            _ => corrupt(e.to_string()),
        })?;
    if check != "ok" {
        // SQLite's report can run to many lines; the reason is said in one.
        let words: Vec<&str> = check.split_whitespace().collect();
        let mut detail = words.iter().take(30).copied().collect::<Vec<_>>().join(" ");
        if words.len() > 30 {
            detail.push_str(" …");
        }
        return Err(corrupt(detail));
    }
    let schema_version = user_version(&conn)?;
    if schema_version > schema_version_supported() {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: schema_version,
            supported: schema_version_supported(),
        });
    }
    Ok(BackupContents {
        schema_version,
        counts: counts(&conn).map_err(|e| corrupt(e.to_string()))?,
    })
}

/// A backup recorded in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRecord {
    pub id: i64,
    pub path: String,
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
    pub reason: String,
    pub verified: bool,
    pub error: Option<String>,
}

impl Store {
    /// Writes a consistent copy of the database to `target` (which must not exist) and checks
    /// it: it opens, passes its integrity check, and holds every row that existed when the
    /// copy began. Returns the size in bytes.
    pub fn backup_to(&self, target: &Path) -> Result<u64, StoreError> {
        let write_error = |source: std::io::Error| StoreError::CannotWrite {
            path: target.to_owned(),
            source,
        };
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_error)?;
        }
        if target.exists() {
            return Err(StoreError::FileExists {
                path: target.to_owned(),
            });
        }
        // A second connection reads a snapshot while the app's own connection goes on writing.
        let conn = Connection::open_with_flags(
            self.path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let before = counts(&conn)?;
        conn.execute("VACUUM INTO ?1", [target.display().to_string()])?;
        drop(conn);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(target, std::fs::Permissions::from_mode(0o600))
                .map_err(write_error)?;
        }
        let copy = Connection::open_with_flags(target, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                path: target.to_owned(),
                detail: check,
            });
        }
        for (table, n, max) in &before.0 {
            let held: i64 = copy.query_row(
                &format!("SELECT count(*) FROM {table} WHERE id <= ?1"),
                [max],
                |r| r.get(0),
            )?;
            if held != *n {
                return Err(StoreError::Corrupt {
                    path: target.to_owned(),
                    detail: format!("{table} has {held} of the {n} rows it should"),
                });
            }
        }
        Ok(std::fs::metadata(target).map_err(write_error)?.len())
    }

    pub fn record_backup(
        &self,
        path: &Path,
        bytes: u64,
        at: DateTime<Utc>,
        reason: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO backups (path, bytes, created_at, reason, verified, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![path.display().to_string(), i64::try_from(bytes).unwrap_or(i64::MAX), stamp(at), reason, error.is_none(), error],
            )?;
            Ok(())
        })
    }

    /// The newest backups first.
    pub fn backups(&self, limit: u32) -> Result<Vec<BackupRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, path, bytes, created_at, reason, verified, error FROM backups ORDER BY created_at DESC, id DESC LIMIT ?1",
            )?;
            let rows = stmt
                .query_map([limit], |r| {
                    Ok(BackupRecord {
                        id: r.get(0)?,
                        path: r.get(1)?,
                        bytes: r.get(2)?,
                        created_at: time(&r.get::<_, String>(3)?)?,
                        reason: r.get(4)?,
                        verified: r.get::<_, i64>(5)? != 0,
                        error: r.get(6)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}

/// A backup copied next to the live database and updated to the current schema, removed when
/// dropped.
struct Staged {
    path: std::path::PathBuf,
}

impl Staged {
    fn of(backup: &Path, live: &Path) -> Result<Self, StoreError> {
        let staged = Self {
            path: live.with_extension("restoring.sqlite3"),
        };
        let _ = std::fs::remove_file(&staged.path);
        std::fs::copy(backup, &staged.path).map_err(|source| StoreError::CannotWrite {
            path: staged.path.clone(),
            source,
        })?;
        let mut conn = Connection::open(&staged.path)?;
        crate::open::migrate(&mut conn).map_err(|e| {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or_default().to_owned();
            StoreError::Migration(format!(
                "this backup could not be brought up to this version of Tidings ({first})"
            ))
        })?;
        conn.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
        Ok(staged)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Store {
    /// Replaces the live database with a backup, in place: the backup is checked first (a
    /// damaged or newer one is refused and nothing is touched), copied page by page into the
    /// open connection, brought up to the current schema, and given back what is not the
    /// desk's to roll back: the Sandbox carrier's own records and the list of backups made.
    pub fn restore_from(
        &self,
        path: &Path,
        carry_from: Option<&Path>,
    ) -> Result<(BackupContents, crate::Carried), StoreError> {
        let contents = inspect_backup(path)?;
        let mut conn = self.lock();
        let carrier: Vec<crate::SandboxRecord> = {
            let mut stmt = conn.prepare(&format!(
                "SELECT {} FROM sandbox_messages",
                crate::sandbox::COLUMNS
            ))?;
            let rows = stmt
                .query_map([], crate::sandbox::record)?
                .collect::<Result<Vec<_>, _>>()?;
            rows
        };
        let made: Vec<MadeBackup> = {
            let mut stmt = conn
                .prepare("SELECT path, bytes, created_at, reason, verified, error FROM backups")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows
        };
        // An older backup is brought up to the current schema on a copy first, so a backup
        // that cannot be updated is refused before the live database is touched.
        let staged = Staged::of(path, self.path())?;
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        conn.restore(
            rusqlite::MAIN_DB,
            &staged.path,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        drop(staged);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        crate::open::migrate(&mut conn)?;
        // The copy taken just before, to carry over what happened after the backup (see
        // `carry`): only when it is the same database, later.
        let attached = match carry_from {
            Some(before) => {
                conn.execute(
                    "ATTACH DATABASE ?1 AS before",
                    [before.to_string_lossy().as_ref()],
                )?;
                true
            }
            None => false,
        };
        let result = Self::finish_restore(&mut conn, attached, &carrier, &made);
        if attached {
            conn.execute("DETACH DATABASE before", [])?;
        }
        Ok((contents, result?))
    }

    /// The writes after the data is replaced: the Sandbox carrier and the list of backups (which
    /// describe the desk, not the backup), and what happened after the backup.
    fn finish_restore(
        conn: &mut Connection,
        attached: bool,
        carrier: &[crate::SandboxRecord],
        made: &[MadeBackup],
    ) -> Result<crate::Carried, StoreError> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for r in carrier {
            tx.execute(
                "INSERT INTO sandbox_messages (provider_id, direction, from_number, to_number, body, status, send_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (provider_id) DO UPDATE SET status = excluded.status",
                params![r.provider_id, r.direction.as_str(), r.from_number, r.to_number, r.body, r.status, r.send_at, r.created_at],
            )?;
        }
        for (path, bytes, created_at, reason, verified, error) in made {
            let known: i64 = tx.query_row(
                "SELECT count(*) FROM backups WHERE path = ?1 AND created_at = ?2",
                params![path, created_at],
                |r| r.get(0),
            )?;
            if known == 0 {
                tx.execute(
                    "INSERT INTO backups (path, bytes, created_at, reason, verified, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![path, bytes, created_at, reason, verified, error],
                )?;
            }
        }
        let carried = if attached && crate::carry::same_lineage(&tx)? {
            crate::carry::carry(&tx)?
        } else {
            crate::Carried::default()
        };
        tx.commit()?;
        Ok(carried)
    }
}
