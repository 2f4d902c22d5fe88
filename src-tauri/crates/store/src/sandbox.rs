//! The Sandbox carrier's records: texts it "delivered" and texts the Sandbox phone sent.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SandboxDirection {
    Outbound,
    Inbound,
}

impl SandboxDirection {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Outbound => "outbound",
            Self::Inbound => "inbound",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxRecord {
    pub id: i64,
    pub provider_id: String,
    pub direction: SandboxDirection,
    pub from_number: String,
    pub to_number: String,
    pub body: String,
    pub status: String,
    pub send_at: Option<String>,
    pub created_at: String,
}

pub(crate) const COLUMNS: &str =
    "id, provider_id, direction, from_number, to_number, body, status, send_at, created_at";

pub(crate) fn record(row: &Row<'_>) -> rusqlite::Result<SandboxRecord> {
    let direction: String = row.get(2)?;
    Ok(SandboxRecord {
        id: row.get(0)?,
        provider_id: row.get(1)?,
        direction: if direction == "inbound" {
            SandboxDirection::Inbound
        } else {
            SandboxDirection::Outbound
        },
        from_number: row.get(3)?,
        to_number: row.get(4)?,
        body: row.get(5)?,
        status: row.get(6)?,
        send_at: row.get(7)?,
        created_at: row.get(8)?,
    })
}

/// A text for the Sandbox carrier to record.
#[derive(Debug, Clone)]
pub struct NewSandboxRecord<'a> {
    pub provider_id: &'a str,
    pub direction: SandboxDirection,
    pub from_number: &'a str,
    pub to_number: &'a str,
    pub body: &'a str,
    pub status: &'a str,
    pub send_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Records a text; returns the stored row. Recording the same provider id twice returns the
    /// first row unchanged (the carrier never delivers one message twice).
    pub fn insert_sandbox_record(
        &self,
        new: &NewSandboxRecord<'_>,
    ) -> Result<SandboxRecord, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sandbox_messages
                   (provider_id, direction, from_number, to_number, body, status, send_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (provider_id) DO NOTHING",
                params![
                    new.provider_id,
                    new.direction.as_str(),
                    new.from_number,
                    new.to_number,
                    new.body,
                    new.status,
                    new.send_at.map(|t| t.to_rfc3339()),
                    new.created_at.to_rfc3339(),
                ],
            )?;
            Ok(tx.query_row(
                &format!("SELECT {COLUMNS} FROM sandbox_messages WHERE provider_id = ?1"),
                [new.provider_id],
                record,
            )?)
        })
    }

    pub fn sandbox_record(&self, provider_id: &str) -> Result<Option<SandboxRecord>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {COLUMNS} FROM sandbox_messages WHERE provider_id = ?1"),
                    [provider_id],
                    record,
                )
                .optional()?)
        })
    }

    /// Records in one direction with an id above `after_id`, oldest first.
    pub fn sandbox_records_after(
        &self,
        direction: SandboxDirection,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<SandboxRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM sandbox_messages
                 WHERE direction = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            ))?;
            let rows = stmt
                .query_map(params![direction.as_str(), after_id, limit], record)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Changes a scheduled outbound record's status (for example to "canceled"); returns whether
    /// a scheduled record was found.
    pub fn set_sandbox_status(
        &self,
        provider_id: &str,
        from_status: &str,
        to_status: &str,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE sandbox_messages SET status = ?3 WHERE provider_id = ?1 AND status = ?2",
                params![provider_id, from_status, to_status],
            )?;
            Ok(n == 1)
        })
    }
}

impl Store {
    /// Everything the Sandbox carrier carried to or from one number, oldest first.
    pub fn sandbox_thread(
        &self,
        number: &str,
        limit: u32,
    ) -> Result<Vec<SandboxRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT * FROM (SELECT {COLUMNS} FROM sandbox_messages
                   WHERE to_number = ?1 OR from_number = ?1 ORDER BY id DESC LIMIT ?2) ORDER BY id"
            ))?;
            let rows = stmt
                .query_map(params![number, limit], record)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}
