//! Reconciling after a restore: unsettled texts, settled by what the provider says it sent.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::appointments::stamp;
use crate::outbox::{message, MessageRow, MESSAGE_SQL};
use crate::{Store, StoreError};

impl Store {
    /// Messages that were waiting or being sent when the data was saved (after a restore,
    /// some of them may have gone out since).
    pub fn unsettled_messages(&self, due_by: DateTime<Utc>) -> Result<Vec<MessageRow>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{MESSAGE_SQL} WHERE m.status IN ('planned', 'sending', 'retry_wait') AND m.send_at <= ?1 ORDER BY m.send_at"
            ))?;
            let rows = stmt.query_map([stamp(due_by)], message)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Whether a provider message id is already attached to a message.
    pub fn provider_id_known(&self, provider_id: &str) -> Result<bool, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT 1 FROM messages WHERE provider_id = ?1",
                    [provider_id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some())
        })
    }

    /// Records that the provider already sent an unsettled message (found when reconciling).
    pub fn mark_reconciled(
        &self,
        id: i64,
        provider_id: &str,
        body: &str,
        sent_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET status = 'sent', provider_id = ?2, body = ?3, sent_at = ?4,
                    reason = 'reconciled_with_provider', updated_at = ?5
                 WHERE id = ?1 AND status IN ('planned', 'sending', 'retry_wait')",
                params![id, provider_id, body, stamp(sent_at), stamp(now)],
            )?;
            Ok(())
        })
    }
}
