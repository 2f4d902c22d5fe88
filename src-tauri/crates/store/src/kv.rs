//! Small remembered values kept beside the settings (e.g. the inbound poll cursor).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use crate::appointments::stamp;
use crate::{Store, StoreError};

/// A small remembered value from the settings table.
pub(crate) fn kv_read(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub(crate) fn kv_write(
    conn: &Connection,
    key: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, value, stamp(now)],
    )?;
    Ok(())
}

impl Store {
    /// A small value kept beside the settings (e.g. the inbound poll cursor).
    pub fn kv_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|conn| kv_read(conn, key))
    }

    pub fn kv_set(&self, key: &str, value: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| kv_write(tx, key, value, now))
    }
}
