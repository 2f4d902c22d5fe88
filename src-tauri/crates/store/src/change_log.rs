//! The change events every process writes beside its changes, so another process on the same
//! database (the app's window, while the command line imports) can tell what changed.

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::appointments::stamp;
use crate::{Store, StoreError};

/// How many events are kept: far more than a second's writes, so a window that reads every
/// half second never misses one, and too few to matter on disk.
const KEPT: i64 = 2_000;

impl Store {
    /// Records one change batch (as JSON) written by `origin`.
    pub fn log_changes(
        &self,
        origin: &str,
        batch: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO change_log (origin, batch, at) VALUES (?1, ?2, ?3)",
                params![origin, batch, stamp(now)],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute("DELETE FROM change_log WHERE id <= ?1", [id - KEPT])?;
            Ok(id)
        })
    }

    /// The newest event's id (0 when there is none): where a reader starts.
    pub fn last_change_id(&self) -> Result<i64, StoreError> {
        self.read(|conn| {
            Ok(
                conn.query_row("SELECT coalesce(max(id), 0) FROM change_log", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    /// Events after `after` written by anyone but `origin`, oldest first, with the newest id
    /// read (so the caller skips its own events too).
    pub fn changes_since(
        &self,
        after: i64,
        origin: &str,
    ) -> Result<(Vec<String>, i64), StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT id, origin, batch FROM change_log WHERE id > ?1 ORDER BY id")?;
            let mut newest = after;
            let mut batches = Vec::new();
            let rows = stmt.query_map([after], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (id, from, batch) = row?;
                newest = newest.max(id);
                if from != origin {
                    batches.push(batch);
                }
            }
            Ok((batches, newest))
        })
    }

    /// SQLite's count of commits made by other connections to this file (`PRAGMA
    /// data_version`): when it moves, someone else wrote.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        let conn = self.lock();
        Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}
