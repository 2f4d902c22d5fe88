//! The audit log: who changed what, append-only.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use serde::Serialize;
use tidings_domain::WriteSource;

use crate::{Store, StoreError};

/// An audit entry about to be written, inside the same transaction as the change it describes.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub source: WriteSource,
    pub entity: &'a str,
    pub entity_id: Option<&'a str>,
    pub action: &'a str,
    pub detail: serde_json::Value,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub source: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub action: String,
    pub detail: serde_json::Value,
}

pub(crate) fn insert(tx: &Transaction<'_>, entry: &NewAuditEntry<'_>) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, source, entity, entity_id, action, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            entry.at.to_rfc3339(),
            entry.actor,
            entry.source.as_str(),
            entry.entity,
            entry.entity_id,
            entry.action,
            entry.detail.to_string(),
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

impl Store {
    /// An audit entry for something that changed no other table (a test text, a provider
    /// switch recorded on its own).
    pub fn append_audit(&self, entry: NewAuditEntry<'_>) -> Result<i64, StoreError> {
        self.write(|tx| insert(tx, &entry))
    }

    /// The newest `limit` audit entries, newest first.
    pub fn recent_audit(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, at, actor, source, entity, entity_id, action, detail
                 FROM audit_log ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt
                .query_map([limit], |row| {
                    Ok((
                        AuditEntry {
                            id: row.get(0)?,
                            at: row.get(1)?,
                            actor: row.get(2)?,
                            source: row.get(3)?,
                            entity: row.get(4)?,
                            entity_id: row.get(5)?,
                            action: row.get(6)?,
                            detail: serde_json::Value::Null,
                        },
                        row.get::<_, String>(7)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(mut entry, detail)| {
                    entry.detail = serde_json::from_str(&detail)?;
                    Ok(entry)
                })
                .collect()
        })
    }
}
