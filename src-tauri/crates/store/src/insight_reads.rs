//! Insights' reads beside the day counts: opt-outs by text, waiting threads, version names.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use crate::{stamp, Store, StoreError};

/// A template version's name and number, for showing its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionName {
    pub template_version_id: i64,
    pub template_name: String,
    pub version: u32,
}

impl Store {
    /// Revocations that came by text (keyword or carrier report) between `from` and `to`:
    /// (client, when), oldest first.
    pub fn text_opt_outs(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        self.read(|conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT client_id, recorded_at FROM consent_events
                     WHERE action = 'revoked' AND channel IN ('sms_keyword', 'provider_report')
                       AND recorded_at >= ?1 AND recorded_at < ?2
                     ORDER BY recorded_at",
                )?
                .query_map(params![stamp(from), stamp(to)], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(client, at)| {
                    DateTime::parse_from_rfc3339(&at)
                        .map(|t| (client, t.with_timezone(&Utc)))
                        .map_err(|e| StoreError::Decode(format!("recorded_at {at:?}: {e}")))
                })
                .collect()
        })
    }

    /// Conversations customers started in the period that no staff text has followed and that
    /// wait in the inbox for a reply: not handled by automation, only not answered yet.
    pub fn waiting_conversations(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM conversations c
                 JOIN messages m ON m.direction = 'inbound' AND m.from_number = c.phone
                 WHERE c.status = 'open' AND c.needs_reply = 1
                   AND m.sent_at >= ?1 AND m.sent_at < ?2
                   AND m.needs_answer = 1 AND m.answered_at IS NULL",
                params![stamp(from), stamp(to)],
                |r| r.get(0),
            )?)
        })
    }

    /// Names and numbers of template versions.
    pub fn version_names(&self, ids: &[i64]) -> Result<Vec<VersionName>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT v.id, t.name, v.version FROM template_versions v
                 JOIN templates t ON t.id = v.template_id WHERE v.id = ?1",
            )?;
            let mut out = Vec::new();
            for id in ids {
                if let Some(name) = stmt
                    .query_row([id], |r| {
                        Ok(VersionName {
                            template_version_id: r.get(0)?,
                            template_name: r.get(1)?,
                            version: r.get(2)?,
                        })
                    })
                    .optional()?
                {
                    out.push(name);
                }
            }
            Ok(out)
        })
    }
}
