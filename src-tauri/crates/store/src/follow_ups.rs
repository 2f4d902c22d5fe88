//! Open questions a text asked (YES/NO, "reply 1", how did it go) and visits' follow-ups.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::appointments::stamp;
use crate::{Store, StoreError};

/// What an open question asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionKind {
    /// "Reply YES to confirm or NO to change it."
    Reminder,
    /// "Reply 1 to pick a new time."
    Notice,
    /// "How did it go? Reply 1 to 5."
    FollowUp,
}

impl Store {
    /// The client's open question: the appointment of the newest sent text that asked for an
    /// answer, while it is still open: a reminder asking YES or NO or a notice asking "reply
    /// 1" (until the appointment passes or is answered), or a follow-up asking how a visit went
    /// (for three days, until answered).
    pub fn open_question(
        &self,
        client_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, QuestionKind)>, StoreError> {
        self.read(|conn| {
            let found: Option<(i64, bool, bool)> = conn
                .query_row(
                    "SELECT a.id, m.notice_id IS NOT NULL, m.follow_up FROM messages m
                     LEFT JOIN reminder_rules r ON r.id = m.rule_id
                     JOIN appointments a ON a.id = m.appointment_id
                     WHERE m.client_id = ?1 AND m.status IN ('sent', 'delivered')
                       AND (
                         (m.follow_up = 1 AND a.feedback IS NULL AND m.sent_at > ?3)
                         OR (a.starts_at > ?2 AND (
                               (r.asks_confirmation = 1 AND a.status = 'booked')
                            OR (m.notice_id IS NOT NULL AND a.status IN ('booked', 'confirmed')))))
                     ORDER BY m.sent_at DESC, m.id DESC LIMIT 1",
                    params![
                        client_id,
                        stamp(now),
                        stamp(now - chrono::Duration::days(3))
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            Ok(found.map(|(id, notice, follow_up)| {
                (
                    id,
                    if follow_up {
                        QuestionKind::FollowUp
                    } else if notice {
                        QuestionKind::Notice
                    } else {
                        QuestionKind::Reminder
                    },
                )
            }))
        })
    }

    /// Plans the follow-up of a completed visit, unless it has one already (of any status).
    pub fn plan_follow_up(
        &self,
        client_id: i64,
        appointment_id: i64,
        to: &str,
        planned_for: DateTime<Utc>,
        send_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        self.write(|tx| {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM messages WHERE appointment_id = ?1 AND follow_up = 1
                                  AND status <> 'cancelled')",
                [appointment_id],
                |r| r.get(0),
            )?;
            if exists {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO messages (direction, client_id, appointment_id, purpose, automated,
                    to_number, status, send_at, planned_for, follow_up, created_at, updated_at)
                 VALUES ('outbound', ?1, ?2, 'service', 1, ?3, 'planned', ?4, ?5, 1, ?6, ?6)",
                params![
                    client_id,
                    appointment_id,
                    to,
                    stamp(send_at),
                    stamp(planned_for),
                    stamp(now)
                ],
            )?;
            Ok(Some(tx.last_insert_rowid()))
        })
    }

    /// Takes back a visit's follow-up that has not gone yet.
    pub fn cancel_follow_up(
        &self,
        appointment_id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET status = 'cancelled', reason = ?2, updated_at = ?3
                 WHERE appointment_id = ?1 AND follow_up = 1 AND status IN ('planned', 'retry_wait')",
                params![appointment_id, reason, stamp(now)],
            )?;
            Ok(())
        })
    }
}
