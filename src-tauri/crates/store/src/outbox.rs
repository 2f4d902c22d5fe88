//! The outbox: texts planned, sent or kept back, and each one's moves from status to status.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use tidings_domain::{MessageStatus, Purpose};

use crate::appointments::stamp;
use crate::clients::time;
use crate::error::bad;
use crate::{Store, StoreError};

/// A message row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub client_id: Option<i64>,
    pub client_name: String,
    pub appointment_id: Option<i64>,
    pub appointment_starts_at: Option<DateTime<Utc>>,
    pub rule_id: Option<i64>,
    pub rule_name: Option<String>,
    pub template_version: Option<u32>,
    pub purpose: Purpose,
    pub automated: bool,
    pub to: String,
    pub body: String,
    pub status: MessageStatus,
    pub reason: Option<String>,
    pub send_at: Option<DateTime<Utc>>,
    pub planned_for: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub provider_id: Option<String>,
    pub segments: u32,
    pub encoding: String,
    /// The staff member who wrote it, for texts typed by staff.
    pub sent_by: Option<String>,
    /// The day-wide notice it belongs to.
    pub notice_id: Option<i64>,
    /// It asks how a visit went.
    pub follow_up: bool,
    /// For a text sent at once outside any plan, what it is (`staff_reply`, `status_update`,
    /// a reply template's key, `test_text`); kept when `reason` changes on a retry.
    pub direct_kind: Option<String>,
}

pub(crate) fn opt_time(value: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    value.map(|v| time(&v)).transpose()
}

pub(crate) const MESSAGE_SQL: &str =
    "SELECT m.id, m.client_id, coalesce(c.name, ''), m.appointment_id, a.starts_at,
        m.rule_id, r.name, v.version, m.purpose, m.automated, m.to_number, m.body, m.status,
        m.reason, m.send_at, m.planned_for, m.sent_at, m.provider_id, m.segments, m.encoding, m.sent_by, m.notice_id, m.follow_up,
        m.direct_kind
     FROM messages m
     LEFT JOIN clients c ON c.id = m.client_id
     LEFT JOIN appointments a ON a.id = m.appointment_id
     LEFT JOIN reminder_rules r ON r.id = m.rule_id
     LEFT JOIN template_versions v ON v.id = m.template_version_id";

pub(crate) fn message(row: &Row<'_>) -> rusqlite::Result<MessageRow> {
    let purpose: String = row.get(8)?;
    Ok(MessageRow {
        id: row.get(0)?,
        client_id: row.get(1)?,
        client_name: row.get(2)?,
        appointment_id: row.get(3)?,
        appointment_starts_at: opt_time(row.get(4)?)?,
        rule_id: row.get(5)?,
        rule_name: row.get(6)?,
        template_version: row.get(7)?,
        purpose: Purpose::parse(&purpose).ok_or_else(|| bad("purpose", &purpose))?,
        automated: row.get::<_, i64>(9)? != 0,
        to: row.get(10)?,
        body: row.get(11)?,
        status: row.get(12)?,
        reason: row.get(13)?,
        send_at: opt_time(row.get(14)?)?,
        planned_for: opt_time(row.get(15)?)?,
        sent_at: opt_time(row.get(16)?)?,
        provider_id: row.get(17)?,
        segments: row.get(18)?,
        encoding: row.get(19)?,
        sent_by: row.get(20)?,
        notice_id: row.get(21)?,
        follow_up: row.get::<_, i64>(22)? != 0,
        direct_kind: row.get(23)?,
    })
}

pub(crate) fn message_rows(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<MessageRow>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt
        .query_map(params, message)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn message_by_id(conn: &Connection, id: i64) -> Result<Option<MessageRow>, StoreError> {
    Ok(conn
        .query_row(&format!("{MESSAGE_SQL} WHERE m.id = ?1"), [id], message)
        .optional()?)
}

/// A planned reminder to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlannedMessage {
    pub client_id: i64,
    pub appointment_id: i64,
    pub rule_id: i64,
    pub purpose: Purpose,
    pub to: String,
    pub planned_for: DateTime<Utc>,
    /// `Some` for a planned send; `None` with `reason` for a suppression.
    pub send_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// What a send produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub status: String,
    pub provider_id: String,
    pub from: String,
    pub body: String,
    pub template_version_id: Option<i64>,
    pub segments: u32,
    pub encoding: String,
    pub sent_at: DateTime<Utc>,
}

const LIVE: &str = "('planned', 'sending', 'retry_wait', 'scheduled_at_provider')";
/// Live and not held by a sender.
const UNCLAIMED: &str = "('planned', 'retry_wait', 'scheduled_at_provider')";

impl Store {
    pub fn message(&self, id: i64) -> Result<Option<MessageRow>, StoreError> {
        self.read(|conn| message_by_id(conn, id))
    }

    /// Every reminder message of an appointment.
    /// Every message of the live appointments starting after `from`, by appointment, each in
    /// the order `appointment_messages` gives.
    pub fn upcoming_appointment_messages(
        &self,
        from: DateTime<Utc>,
    ) -> Result<HashMap<i64, Vec<MessageRow>>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{MESSAGE_SQL} WHERE m.appointment_id IN (
                    SELECT id FROM appointments WHERE starts_at > ?1
                      AND status IN ('booked', 'confirmed', 'reschedule_requested'))
                 ORDER BY m.appointment_id, coalesce(m.send_at, m.created_at), m.id"
            ))?;
            let mut out: HashMap<i64, Vec<MessageRow>> = HashMap::new();
            for row in stmt.query_map([stamp(from)], message)? {
                let row = row?;
                if let Some(id) = row.appointment_id {
                    out.entry(id).or_default().push(row);
                }
            }
            Ok(out)
        })
    }

    pub fn appointment_messages(&self, appointment_id: i64) -> Result<Vec<MessageRow>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{MESSAGE_SQL} WHERE m.appointment_id = ?1 ORDER BY coalesce(m.send_at, m.created_at), m.id"
            ))?;
            let rows = stmt.query_map([appointment_id], message)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Planned sends (soonest first) and then the most recent other messages.
    pub fn outbox(&self, limit: u32) -> Result<Vec<MessageRow>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT * FROM (
                   {MESSAGE_SQL} WHERE m.status IN {LIVE} AND m.direction = 'outbound'
                   ORDER BY m.send_at LIMIT ?1)
                 UNION ALL SELECT * FROM (
                   {MESSAGE_SQL} WHERE m.status NOT IN {LIVE} AND m.direction = 'outbound'
                   ORDER BY m.updated_at DESC, m.id DESC LIMIT ?1)"
            ))?;
            let rows = stmt
                .query_map([limit], message)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Writes planned sends and suppressions, moves waiting ones to a new send time, and
    /// cancels live messages, in one transaction.
    pub fn apply_plan(
        &self,
        cancel: &[(i64, &str)],
        retime: &[(i64, DateTime<Utc>)],
        add: &[NewPlannedMessage],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if cancel.is_empty() && retime.is_empty() && add.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let now_text = stamp(now);
            // Each statement prepared once for the lot (a preset click re-plans every
            // upcoming appointment).
            let mut cancel_one = tx.prepare_cached(&format!(
                "UPDATE messages SET status = 'cancelled', reason = ?2, updated_at = ?3
                 WHERE id = ?1 AND status IN {LIVE}"
            ))?;
            for (id, reason) in cancel {
                cancel_one.execute(params![id, reason, now_text])?;
            }
            // Still waiting: a new send time only (its claim would have moved it on).
            let mut retime_one = tx.prepare_cached(
                "UPDATE messages SET send_at = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'planned'",
            )?;
            for (id, send_at) in retime {
                retime_one.execute(params![id, stamp(*send_at), now_text])?;
            }
            let mut add_one = tx.prepare_cached(
                "INSERT INTO messages (direction, client_id, appointment_id, rule_id, purpose,
                    automated, to_number, status, reason, send_at, planned_for, created_at, updated_at)
                 VALUES ('outbound', ?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            )?;
            for m in add {
                add_one.execute(params![
                    m.client_id,
                    m.appointment_id,
                    m.rule_id,
                    m.purpose.as_str(),
                    m.to,
                    if m.send_at.is_some() { "planned" } else { "suppressed" },
                    m.reason,
                    m.send_at.map(stamp),
                    stamp(m.planned_for),
                    now_text,
                ])?;
            }
            Ok(())
        })
    }

    /// When the next planned message is due.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(|conn| {
            let next: Option<String> = conn.query_row(
                "SELECT min(send_at) FROM messages WHERE status IN ('planned', 'retry_wait')",
                [],
                |r| r.get(0),
            )?;
            Ok(opt_time(next)?)
        })
    }

    /// Moves a message from one status to another; returns whether it was in `from`.
    /// Claiming (`planned` → `sending`) commits before the provider is called.
    pub fn transition(
        &self,
        id: i64,
        from: MessageStatus,
        to: MessageStatus,
        reason: Option<&str>,
        send_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = ?3, reason = coalesce(?4, reason),
                    send_at = coalesce(?5, send_at), updated_at = ?6
                 WHERE id = ?1 AND status = ?2",
                params![id, from, to, reason, send_at.map(stamp), stamp(now)],
            )?;
            if n == 1 {
                Ok(())
            } else {
                Err(StoreError::Moved { id, from, to })
            }
        })
    }

    /// Takes a hold's reason off a message about to go (see `HELD_FOR_REVIEW`).
    pub fn clear_reason(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET reason = NULL WHERE id = ?1 AND reason = ?2",
                params![id, reason],
            )?;
            Ok(())
        })
    }

    /// Whether the thread of `phone` holds a text that may ask to stop, not yet reviewed.
    pub fn opt_out_review_pending(&self, phone: &str) -> Result<bool, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT possible_opt_out FROM conversations WHERE phone = ?1",
                    [phone],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .is_some_and(|flag| flag != 0))
        })
    }

    /// Records what the provider accepted for a claimed message.
    pub fn mark_sent(
        &self,
        id: i64,
        sent: &SentMessage,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            // The provider took it: that is recorded whatever became of the row meanwhile (it
            // went; a row that says otherwise would be sent again). A row that is gone is an
            // error.
            let n = tx.execute(
                "UPDATE messages SET status = ?2, provider_id = ?3, from_number = ?4, body = ?5,
                    template_version_id = coalesce(?6, template_version_id), segments = ?7, encoding = ?8, sent_at = ?9, updated_at = ?10
                 WHERE id = ?1",
                params![id, sent.status, sent.provider_id, sent.from, sent.body, sent.template_version_id,
                        sent.segments, sent.encoding, stamp(sent.sent_at), stamp(now)],
            )?;
            crate::dispatch::moved_unless(n == 1, id, MessageStatus::Sending, MessageStatus::Sent)
        })
    }

    /// Automated texts sent to a client since each of two moments (for caps: a day, a week),
    /// in one read.
    pub fn automated_sent_counts(
        &self,
        client_id: i64,
        day: DateTime<Utc>,
        week: DateTime<Utc>,
    ) -> Result<(u32, u32), StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FILTER (WHERE sent_at >= ?2), count(*) FROM messages
                 WHERE client_id = ?1 AND automated = 1 AND direction = 'outbound'
                   AND status IN ('sent', 'delivered', 'sending', 'scheduled_at_provider')
                   AND sent_at >= ?3",
                params![client_id, stamp(day), stamp(week)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
    }

    /// Live appointments starting after `from`, for re-planning (ids only).
    pub fn upcoming_appointment_ids(&self, from: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id FROM appointments WHERE starts_at > ?1
                   AND status IN ('booked', 'confirmed', 'reschedule_requested') ORDER BY starts_at",
            )?;
            let rows = stmt.query_map([stamp(from)], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Live messages of every appointment of a client (for re-planning after a consent change).
    pub fn client_upcoming_appointment_ids(
        &self,
        client_id: i64,
        from: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id FROM appointments WHERE client_id = ?1 AND starts_at > ?2 ORDER BY starts_at",
            )?;
            let rows = stmt.query_map(params![client_id, stamp(from)], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// A client's reminders (every client's, with `None`) that were kept from going for one of
    /// `reasons` (codes, e.g. `no_consent`) and could still go: each the newest text of its appointment and rule (so
    /// nothing went or waits in its place), its appointment still theirs, ahead of `now` and on.
    pub fn refused_reminders(
        &self,
        client_id: Option<i64>,
        reasons: &[&str],
        now: DateTime<Utc>,
    ) -> Result<Vec<MessageRow>, StoreError> {
        if reasons.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; reasons.len()].join(", ");
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{MESSAGE_SQL} WHERE (?1 IS NULL OR m.client_id = ?1) AND m.status = 'suppressed'
                   AND m.rule_id IS NOT NULL AND m.reason IN ({marks})
                   AND m.id = (SELECT max(x.id) FROM messages x
                               WHERE x.appointment_id = m.appointment_id AND x.rule_id = m.rule_id)
                   AND m.appointment_id IN (SELECT id FROM appointments WHERE starts_at > ?
                       AND client_id = m.client_id
                       AND status IN ('booked', 'confirmed', 'reschedule_requested'))
                 ORDER BY m.id"
            ))?;
            let now = stamp(now);
            let mut args: Vec<&dyn rusqlite::ToSql> = vec![&client_id];
            args.extend(reasons.iter().map(|r| r as &dyn rusqlite::ToSql));
            args.push(&now);
            let rows = stmt
                .query_map(args.as_slice(), message)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Puts a reminder kept from going back to planned, to the client's number `to` (a number
    /// that could not take texts may have been replaced), due at `send_at`; the gate decides
    /// again when it is due. False when it is no longer a kept-back text.
    pub fn revive_message(
        &self,
        id: i64,
        to: &str,
        send_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = 'planned', reason = NULL, to_number = ?2,
                    send_at = ?3, updated_at = ?4
                 WHERE id = ?1 AND status = 'suppressed'",
                params![id, to, stamp(send_at), stamp(now)],
            )?;
            Ok(n == 1)
        })
    }

    /// Every text, oldest first (for exports).
    pub fn all_messages(&self) -> Result<Vec<MessageRow>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{MESSAGE_SQL} ORDER BY m.id"))?;
            let rows = stmt
                .query_map([], message)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Replies of one kind sent (or queued to go) to a number since `since`.
    pub fn replies_since(
        &self,
        to: &str,
        kind: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM messages WHERE direction = 'outbound' AND automated = 0
                   AND to_number = ?1 AND reason = ?2
                   AND (sent_at >= ?3
                        OR (status IN ('planned', 'sending', 'retry_wait') AND created_at >= ?3))",
                params![to, kind, stamp(since)],
                |r| r.get(0),
            )?)
        })
    }

    /// Cancels every live message to a client (after an opt-out, a number change); returns
    /// their ids. A text claimed for sending (`sending`) belongs to its sender, which settles
    /// it from the provider's answer; if it goes back to waiting, the gate stops it then.
    pub fn cancel_live_for_client(
        &self,
        client_id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        self.write(|tx| cancel_live_for_client(tx, client_id, reason, now))
    }
}

/// `Store::cancel_live_for_client` in the caller's transaction.
pub(crate) fn cancel_live_for_client(
    tx: &Transaction<'_>,
    client_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    let ids: Vec<i64> = {
        let mut stmt = tx.prepare(&format!(
            "SELECT id FROM messages WHERE client_id = ?1 AND status IN {UNCLAIMED}"
        ))?;
        let rows = stmt
            .query_map([client_id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        rows
    };
    tx.execute(
        &format!(
            "UPDATE messages SET status = 'cancelled', reason = ?2, updated_at = ?3
                      WHERE client_id = ?1 AND status IN {UNCLAIMED}"
        ),
        params![client_id, reason, stamp(now)],
    )?;
    Ok(ids)
}
