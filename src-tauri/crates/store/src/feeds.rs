//! Calendar feeds: where a booking system's appointments are read from on a schedule, and
//! what the last read found.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use tidings_domain::Appointment;

use crate::appointments::{appointment, columns, stamp, FROM, LIVE};
use crate::audit::{self, NewAuditEntry};
use crate::clients::time;
use crate::{Store, StoreError};

/// What a feed reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// An ICS address (its full text is in the keyring).
    IcsUrl,
    /// A folder a booking system saves its CSV export into.
    CsvFolder,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IcsUrl => "ics_url",
            Self::CsvFolder => "csv_folder",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "ics_url" => Some(Self::IcsUrl),
            "csv_folder" => Some(Self::CsvFolder),
            _ => None,
        }
    }
}

/// One feed as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    pub id: i64,
    pub kind: FeedKind,
    pub name: String,
    pub shown: String,
    pub folder: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_read_at: Option<DateTime<Utc>>,
    pub last_ok_at: Option<DateTime<Utc>>,
    /// JSON of what the last read that worked changed.
    pub last_result: Option<String>,
    pub last_error: Option<String>,
}

/// The span of a feed's bookings a read covers: a live booking of the feed inside it that the
/// read no longer has was removed at the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedSpan {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

const FEED_COLUMNS: &str = "id, kind, name, shown, folder, created_at, last_read_at,
    last_ok_at, last_result, last_error";

fn feed(row: &Row<'_>) -> rusqlite::Result<FeedRow> {
    let kind: String = row.get(1)?;
    let optional_time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        row.get::<_, Option<String>>(i)?
            .map(|t| time(&t))
            .transpose()
    };
    Ok(FeedRow {
        id: row.get(0)?,
        kind: FeedKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Text,
                format!("unknown feed kind {kind:?}").into(),
            )
        })?,
        name: row.get(2)?,
        shown: row.get(3)?,
        folder: row.get(4)?,
        created_at: time(&row.get::<_, String>(5)?)?,
        last_read_at: optional_time(6)?,
        last_ok_at: optional_time(7)?,
        last_result: row.get(8)?,
        last_error: row.get(9)?,
    })
}

impl Store {
    /// Adds a feed; returns its id.
    pub fn insert_feed(
        &self,
        kind: FeedKind,
        name: &str,
        shown: &str,
        folder: Option<&str>,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<i64, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO feeds (kind, name, shown, folder, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kind.as_str(), name, shown, folder, stamp(now)],
            )?;
            let id = tx.last_insert_rowid();
            let id_text = id.to_string();
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(&id_text),
                    detail: serde_json::json!({ "kind": kind.as_str(), "name": name, "shown": shown }),
                    ..audit_entry
                },
            )?;
            Ok(id)
        })
    }

    pub fn feeds(&self) -> Result<Vec<FeedRow>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare(&format!("SELECT {FEED_COLUMNS} FROM feeds ORDER BY id"))?;
            let rows = stmt.query_map([], feed)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn feed(&self, id: i64) -> Result<Option<FeedRow>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {FEED_COLUMNS} FROM feeds WHERE id = ?1"),
                    [id],
                    feed,
                )
                .optional()?)
        })
    }

    /// Removes a feed. Its appointments stay, no longer kept up to date by it. Returns whether
    /// there was such a feed.
    pub fn delete_feed(&self, id: i64, audit_entry: NewAuditEntry<'_>) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE appointments SET feed_id = NULL WHERE feed_id = ?1",
                [id],
            )?;
            let gone = tx.execute("DELETE FROM feeds WHERE id = ?1", [id])? > 0;
            if gone {
                let id_text = id.to_string();
                audit::insert(
                    tx,
                    &NewAuditEntry {
                        entity_id: Some(&id_text),
                        ..audit_entry
                    },
                )?;
            }
            Ok(gone)
        })
    }

    /// Records one read of a feed: what it changed (as JSON) when it worked, or why not. A
    /// failed read keeps the last good result, so the desk sees both.
    pub fn record_feed_read(
        &self,
        id: i64,
        now: DateTime<Utc>,
        outcome: Result<&str, &str>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            match outcome {
                Ok(result) => tx.execute(
                    "UPDATE feeds SET last_read_at = ?2, last_ok_at = ?2, last_result = ?3,
                         last_error = NULL
                     WHERE id = ?1",
                    params![id, stamp(now), result],
                )?,
                Err(problem) => tx.execute(
                    "UPDATE feeds SET last_read_at = ?2, last_error = ?3 WHERE id = ?1",
                    params![id, stamp(now), problem],
                )?,
            };
            Ok(())
        })
    }

    /// The feed's live bookings in `span`, to find those a read no longer has.
    pub fn feed_appointments(
        &self,
        feed_id: i64,
        span: FeedSpan,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {} {FROM} WHERE a.feed_id = ?1 AND a.starts_at >= ?2 AND a.starts_at <= ?3
                   AND a.status IN {LIVE} ORDER BY a.starts_at",
                columns()
            ))?;
            let rows = stmt
                .query_map(
                    params![feed_id, stamp(span.from), stamp(span.to)],
                    appointment,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}
