//! Day-wide notices: the notice and one planned text per recipient, written together.

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::{audit, stamp, NewAuditEntry, Store, StoreError};

/// A notice about to be sent.
#[derive(Debug, Clone)]
pub struct NewNotice<'a> {
    pub day: &'a str,
    pub staff_id: Option<i64>,
    pub from_time: Option<&'a str>,
    pub to_time: Option<&'a str>,
    pub body: &'a str,
    pub urgent: bool,
    pub created_by: &'a str,
}

/// One recipient's text, rendered for their appointment.
#[derive(Debug, Clone)]
pub struct NoticeText {
    pub client_id: i64,
    pub appointment_id: i64,
    pub to: String,
    pub body: String,
    pub segments: u32,
    pub encoding: &'static str,
    pub send_at: DateTime<Utc>,
}

/// Where a notice's texts stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoticeCounts {
    pub total: u32,
    pub sent: u32,
    pub waiting: u32,
    pub failed: u32,
}

impl Store {
    /// Writes the notice, its planned texts and the audit entry in one transaction.
    pub fn create_notice(
        &self,
        notice: &NewNotice<'_>,
        texts: &[NoticeText],
        audit_entry: NewAuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO notices (day, staff_id, from_time, to_time, body, urgent, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![notice.day, notice.staff_id, notice.from_time, notice.to_time, notice.body,
                        notice.urgent, notice.created_by, stamp(now)],
            )?;
            let id = tx.last_insert_rowid();
            let mut insert = tx.prepare(
                "INSERT INTO messages (direction, client_id, appointment_id, purpose, automated,
                    to_number, body, status, reason, send_at, segments, encoding, sent_by, notice_id,
                    created_at, updated_at)
                 VALUES ('outbound', ?1, ?2, 'service', 0, ?3, ?4, 'planned', 'notice', ?5, ?6, ?7,
                    ?8, ?9, ?10, ?10)",
            )?;
            for t in texts {
                insert.execute(params![t.client_id, t.appointment_id, t.to, t.body, stamp(t.send_at),
                                       t.segments, t.encoding, notice.created_by, id, stamp(now)])?;
            }
            let id_text = id.to_string();
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(&id_text),
                    detail: serde_json::json!({
                        "day": notice.day, "recipients": texts.len(), "urgent": notice.urgent,
                        "inside_quiet_hours_allowed": notice.urgent,
                    }),
                    ..audit_entry
                },
            )?;
            Ok(id)
        })
    }

    pub fn notice_counts(&self, notice_id: i64) -> Result<NoticeCounts, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*),
                        count(*) FILTER (WHERE status IN ('sent', 'delivered')),
                        count(*) FILTER (WHERE status IN ('planned', 'sending', 'retry_wait')),
                        count(*) FILTER (WHERE status IN ('failed', 'undelivered', 'suppressed', 'cancelled'))
                 FROM messages WHERE notice_id = ?1",
                [notice_id],
                |r| {
                    Ok(NoticeCounts {
                        total: r.get(0)?,
                        sent: r.get(1)?,
                        waiting: r.get(2)?,
                        failed: r.get(3)?,
                    })
                },
            )?)
        })
    }

    /// Whether a notice allowed quiet hours.
    pub fn notice_urgent(&self, notice_id: i64) -> Result<bool, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT urgent FROM notices WHERE id = ?1",
                [notice_id],
                |r| r.get::<_, bool>(0),
            )?)
        })
    }
}
