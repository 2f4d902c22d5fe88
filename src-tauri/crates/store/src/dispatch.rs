//! The dispatcher's statements: claiming, retries, failures, delivery status, reconciliation.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use tidings_domain::MessageStatus;

use crate::outbox::{message_rows, MESSAGE_SQL};
use crate::{stamp, MessageRow, Store, StoreError};

/// What was rendered for a claimed message, written before the provider is called so that a
/// crash after the call can be matched against the provider's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedBody<'a> {
    pub body: &'a str,
    pub template_version_id: Option<i64>,
    pub segments: u32,
    pub encoding: &'a str,
    /// The language a template text was rendered in ("es"); `None` keeps what was recorded.
    pub language: Option<&'a str>,
}

/// A provider-side cancel waiting to be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCancellation {
    pub id: i64,
    pub message_id: i64,
    pub provider_id: String,
    pub attempts: u32,
}

/// A message left `sending`: claimed by a process that stopped mid-send, or sent without a
/// clear answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedMessage {
    pub message: MessageRow,
    pub claimed_at: Option<DateTime<Utc>>,
    /// Since when (real clock, Unix ms) the provider's records have been asked about it.
    pub unknown_since_ms: Option<i64>,
    pub attempts: u32,
}

impl Store {
    /// Messages due at `now` (planned, or waiting to retry), soonest first.
    pub fn dispatchable(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<MessageRow>, StoreError> {
        self.read(|conn| {
            message_rows(
                conn,
                &format!(
                    "{MESSAGE_SQL} WHERE m.status IN ('planned', 'retry_wait') AND m.send_at <= ?1
                     ORDER BY m.send_at, m.id LIMIT ?2"
                ),
                params![stamp(now), limit],
            )
        })
    }

    /// Claims a due message for sending (`planned` or `retry_wait` → `sending`), committed
    /// before anything else happens. Returns false when someone else got there first.
    pub fn claim(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = 'sending', claimed_at = ?2, updated_at = ?2,
                    unknown_since_ms = NULL
                 WHERE id = ?1 AND status IN ('planned', 'retry_wait')",
                params![id, stamp(now)],
            )?;
            Ok(n == 1)
        })
    }

    /// Records the text about to go, still `sending`.
    pub fn record_claimed_body(
        &self,
        id: i64,
        claimed: &ClaimedBody<'_>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET body = ?2, template_version_id = coalesce(?3, template_version_id),
                    segments = ?4, encoding = ?5, language = coalesce(?6, language)
                 WHERE id = ?1 AND status = 'sending'",
                params![
                    id,
                    claimed.body,
                    claimed.template_version_id,
                    claimed.segments,
                    claimed.encoding,
                    claimed.language
                ],
            )?;
            moved_unless(n == 1, id, MessageStatus::Sending, MessageStatus::Sending)
        })
    }

    /// A transient failure: back to waiting, one attempt used.
    pub fn schedule_retry(
        &self,
        id: i64,
        at: DateTime<Utc>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = 'retry_wait', send_at = ?2, reason = ?3,
                    attempts = attempts + 1, updated_at = ?4
                 WHERE id = ?1 AND status = 'sending'",
                params![id, stamp(at), reason, stamp(now)],
            )?;
            moved_unless(n == 1, id, MessageStatus::Sending, MessageStatus::RetryWait)
        })
    }

    /// Attempts used so far.
    pub fn attempts(&self, id: i64) -> Result<u32, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row("SELECT attempts FROM messages WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?
                .unwrap_or(0))
        })
    }

    /// A message that will not be sent (or did not arrive), with the provider's code.
    pub fn finish_failed(
        &self,
        id: i64,
        from: &str,
        status: &str,
        code: Option<&str>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = ?3, error_code = coalesce(?4, error_code), reason = ?5,
                    error_message = ?5, updated_at = ?6
                 WHERE id = ?1 AND status = ?2",
                params![id, from, status, code, reason, stamp(now)],
            )?;
            Ok(n == 1)
        })
    }

    /// Messages claimed but never settled (the process stopped mid-send).
    pub fn claimed_messages(&self) -> Result<Vec<ClaimedMessage>, StoreError> {
        self.read(|conn| {
            let rows = message_rows(
                conn,
                &format!("{MESSAGE_SQL} WHERE m.status = 'sending' ORDER BY m.id"),
                [],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let (claimed, unknown_since_ms, attempts): (Option<String>, Option<i64>, u32) =
                    conn.query_row(
                        "SELECT claimed_at, unknown_since_ms, attempts FROM messages WHERE id = ?1",
                        [row.id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )?;
                let claimed_at = claimed
                    .and_then(|c| DateTime::parse_from_rfc3339(&c).ok())
                    .map(|c| c.with_timezone(&Utc));
                out.push(ClaimedMessage {
                    message: row,
                    claimed_at,
                    unknown_since_ms,
                    attempts,
                });
            }
            Ok(out)
        })
    }

    /// Sent texts still waiting for a final status, sent after `since`, oldest first; texts
    /// handed to the provider count once their time has come.
    pub fn awaiting_delivery(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<MessageRow>, StoreError> {
        self.read(|conn| {
            message_rows(
                conn,
                &format!(
                    "{MESSAGE_SQL} WHERE m.provider_id IS NOT NULL AND m.sent_at >= ?1
                       AND (m.status = 'sent'
                            OR (m.status = 'scheduled_at_provider' AND m.send_at <= ?2))
                     ORDER BY m.updated_at, m.id LIMIT ?3"
                ),
                params![stamp(since), stamp(now), limit],
            )
        })
    }

    /// Planned reminders due between `from` and `to` (for handing to the provider ahead).
    pub fn plannable_ahead(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<MessageRow>, StoreError> {
        self.read(|conn| {
            message_rows(
                conn,
                &format!(
                    "{MESSAGE_SQL} WHERE m.status = 'planned' AND m.rule_id IS NOT NULL
                       AND m.send_at > ?1 AND m.send_at <= ?2
                     ORDER BY m.send_at, m.id LIMIT ?3"
                ),
                params![stamp(from), stamp(to), limit],
            )
        })
    }

    /// Provider-side cancels still to make, oldest first.
    pub fn pending_cancellations(
        &self,
        limit: u32,
    ) -> Result<Vec<PendingCancellation>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, message_id, provider_id, attempts FROM provider_cancellations
                 WHERE done_at IS NULL ORDER BY id LIMIT ?1",
            )?;
            let rows = stmt
                .query_map([limit], |r| {
                    Ok(PendingCancellation {
                        id: r.get(0)?,
                        message_id: r.get(1)?,
                        provider_id: r.get(2)?,
                        attempts: r.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// A provider-side cancel made (`done`), or tried and to be tried again.
    pub fn record_cancellation(
        &self,
        id: i64,
        done: bool,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE provider_cancellations SET attempts = attempts + 1, outcome = ?2,
                    done_at = CASE WHEN ?3 THEN ?4 END
                 WHERE id = ?1",
                params![id, outcome, done, stamp(now)],
            )?;
            Ok(())
        })
    }

    /// Takes back every text of a client that waits at the provider (the trigger queues the
    /// provider-side cancels). Returns how many.
    pub fn cancel_handed_off_for_client(
        &self,
        client_id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE messages SET status = 'cancelled', reason = ?2, updated_at = ?3
                 WHERE client_id = ?1 AND status = 'scheduled_at_provider'",
                params![client_id, reason, stamp(now)],
            )?)
        })
    }

    /// The provider sent a text before it could be cancelled: the record says so.
    pub fn mark_sent_anyway(&self, message_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET status = 'sent',
                    reason = 'sent by the provider before the change could cancel it', updated_at = ?2
                 WHERE id = ?1",
                params![message_id, stamp(now)],
            )?;
            Ok(())
        })
    }

    /// Sent texts older than `before` that never reported a final status.
    pub fn expire_delivery(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE messages SET status = 'failed',
                    reason = 'no delivery report from the carrier within 72 hours', updated_at = ?2
                 WHERE status = 'sent' AND sent_at < ?1",
                params![stamp(before), stamp(now)],
            )?)
        })
    }

    /// A delivery report: `sent` → `delivered`, `undelivered` or `failed` (with the code), or
    /// just a touch so the next poll asks about others first.
    pub fn record_delivery(
        &self,
        id: i64,
        status: &str,
        code: Option<&str>,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = ?2, error_code = ?3, error_message = ?4,
                    reason = coalesce(?4, reason), updated_at = ?5
                 WHERE id = ?1 AND status IN ('sent', 'scheduled_at_provider')",
                params![id, status, code, reason, stamp(now)],
            )?;
            Ok(n == 1)
        })
    }

    /// The carrier says this client's number cannot receive texts.
    pub fn mark_unreachable(
        &self,
        client_id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE clients SET unreachable_reason = ?2, updated_at = ?3 WHERE id = ?1",
                params![client_id, reason, stamp(now)],
            )?;
            Ok(())
        })
    }

    /// A row's provider fields after reconciliation found it at the provider.
    pub fn settle_claimed(
        &self,
        id: i64,
        provider_id: &str,
        status: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = ?3, provider_id = ?2,
                    sent_at = coalesce(claimed_at, ?4), updated_at = ?4, unknown_since_ms = NULL,
                    reason = NULL
                 WHERE id = ?1 AND status = 'sending'",
                params![id, provider_id, status, stamp(now)],
            )?;
            Ok(n == 1)
        })
    }

    /// A send came back without a clear answer: the text stays `sending`, one attempt used,
    /// with the reason shown, until the provider's records are checked. `since_ms` (real clock)
    /// is kept from the first time the question arose.
    pub fn mark_outcome_unknown(
        &self,
        id: i64,
        reason: &str,
        since_ms: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET reason = ?2, attempts = attempts + 1,
                    unknown_since_ms = coalesce(unknown_since_ms, ?3), updated_at = ?4
                 WHERE id = ?1 AND status = 'sending'",
                params![id, reason, since_ms, stamp(now)],
            )?;
            Ok(n == 1)
        })
    }

    /// Notes `now_ms` as when the provider's records were first asked about a claimed text
    /// (unless an earlier time is on record) and returns the time on record.
    pub fn note_unknown_since(&self, id: i64, now_ms: i64) -> Result<i64, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET unknown_since_ms = coalesce(unknown_since_ms, ?2)
                 WHERE id = ?1 AND status = 'sending'",
                params![id, now_ms],
            )?;
            Ok(tx
                .query_row(
                    "SELECT unknown_since_ms FROM messages WHERE id = ?1",
                    [id],
                    |r| r.get::<_, Option<i64>>(0),
                )
                .optional()?
                .flatten()
                .unwrap_or(now_ms))
        })
    }

    /// Texts whose outcome is being checked with the provider (left `sending`).
    pub fn unsettled_count(&self) -> Result<u32, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM messages WHERE status = 'sending'",
                [],
                |r| r.get(0),
            )?)
        })
    }

    /// A send without a clear answer that the provider's records show never arrived: due again
    /// at `at` (the attempt it used stays counted).
    pub fn release_unknown(
        &self,
        id: i64,
        at: DateTime<Utc>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = 'retry_wait', send_at = ?2, reason = ?3,
                    unknown_since_ms = NULL, updated_at = ?4
                 WHERE id = ?1 AND status = 'sending'",
                params![id, stamp(at), reason, stamp(now)],
            )?;
            Ok(n == 1)
        })
    }

    /// A claim that never reached the provider: due again now.
    pub fn release_claim(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE messages SET status = 'planned', send_at = coalesce(send_at, ?2),
                    unknown_since_ms = NULL, updated_at = ?2
                 WHERE id = ?1 AND status = 'sending'",
                params![id, stamp(now)],
            )?;
            Ok(n == 1)
        })
    }
}

/// A step by the holder of a claim that found the text elsewhere is an error, never ignored.
pub(crate) fn moved_unless(
    changed: bool,
    id: i64,
    from: MessageStatus,
    to: MessageStatus,
) -> Result<(), StoreError> {
    if changed {
        Ok(())
    } else {
        Err(StoreError::Moved { id, from, to })
    }
}
