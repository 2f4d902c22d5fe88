//! The counts Insights is built from, read straight from the local database for one period.
//! Every statement is a single indexed pass; the arithmetic lives in `tidings_domain::metrics`.

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::{stamp, Store, StoreError};

/// Raw counts for texts sent in a period (by `sent_at`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextCounts {
    /// Handed to the provider: sent, delivered, undelivered, or failed after hand-over.
    pub sent: u32,
    pub delivered: u32,
    pub failed: u32,
    /// Carrier filtering (30007).
    pub filtered: u32,
    /// (reason, count), most frequent first.
    pub top_reasons: Vec<(String, u32)>,
}

/// Reminder outcomes for reminders sent in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderCounts {
    pub sent: u32,
    /// Reminders the client answered (any text) within 48 hours.
    pub replied: u32,
    /// Reminders that asked YES/NO.
    pub asked: u32,
    pub confirmed: u32,
    pub reschedule_requested: u32,
    /// Their appointments that have happened (completed or no-show) …
    pub attended_or_missed: u32,
    /// … and of those, completed.
    pub attended: u32,
}

/// (no-shows, appointments that happened), with and without a reminder sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoShowCounts {
    pub reminded: (u32, u32),
    pub not_reminded: (u32, u32),
}

/// One template version's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionCounts {
    pub template_name: String,
    pub version: u32,
    pub sent: u32,
    pub replied: u32,
    pub confirmed: u32,
}

// `+m.status` keeps the planner on the sent-time index (there are no statistics to steer it).
const SENT: &str = "(+m.status IN ('sent', 'delivered', 'undelivered')
                     OR (+m.status = 'failed' AND m.provider_id IS NOT NULL))";

impl Store {
    pub fn text_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<TextCounts, StoreError> {
        self.read(|conn| {
            let (sent, delivered, failed, filtered): (u32, u32, u32, u32) = conn.query_row(
                &format!(
                    "SELECT count(*), count(*) FILTER (WHERE m.status = 'delivered'),
                            count(*) FILTER (WHERE m.status IN ('undelivered', 'failed')),
                            count(*) FILTER (WHERE m.error_code = '30007')
                     FROM messages m
                     WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}"
                ),
                params![stamp(from), stamp(to)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            let mut stmt = conn.prepare(&format!(
                "SELECT coalesce(m.error_code, m.reason, 'unknown'), count(*) FROM messages m
                 WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}
                   AND +m.status IN ('undelivered', 'failed')
                 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5"
            ))?;
            let top_reasons = stmt
                .query_map(params![stamp(from), stamp(to)], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(TextCounts {
                sent,
                delivered,
                failed,
                filtered,
                top_reasons,
            })
        })
    }

    pub fn reminder_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ReminderCounts, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                &format!(
                    "SELECT count(*),
                        count(*) FILTER (WHERE m.replied_at IS NOT NULL),
                        count(*) FILTER (WHERE r.asks_confirmation = 1),
                        count(*) FILTER (WHERE r.asks_confirmation = 1 AND a.status IN ('confirmed', 'completed')),
                        count(*) FILTER (WHERE a.status = 'reschedule_requested'),
                        count(*) FILTER (WHERE a.status IN ('completed', 'no_show')),
                        count(*) FILTER (WHERE a.status = 'completed')
                     FROM messages m
                     JOIN reminder_rules r ON r.id = m.rule_id
                     JOIN appointments a ON a.id = m.appointment_id
                     WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}"
                ),
                params![stamp(from), stamp(to)],
                |r| {
                    Ok(ReminderCounts {
                        sent: r.get(0)?,
                        replied: r.get(1)?,
                        asked: r.get(2)?,
                        confirmed: r.get(3)?,
                        reschedule_requested: r.get(4)?,
                        attended_or_missed: r.get(5)?,
                        attended: r.get(6)?,
                    })
                },
            )?)
        })
    }

    /// For one week of the trend: texts sent, reminders that asked YES/NO, and of those the
    /// confirmed ones (lighter than the period's counts: no reply check).
    pub fn week_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(u32, u32, u32), StoreError> {
        self.read(|conn| {
            let sent: u32 = conn.query_row(
                &format!(
                    "SELECT count(*) FROM messages m
                     WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}"
                ),
                params![stamp(from), stamp(to)],
                |r| r.get(0),
            )?;
            let (asked, confirmed): (u32, u32) = conn.query_row(
                &format!(
                    "SELECT count(*) FILTER (WHERE r.asks_confirmation = 1),
                            count(*) FILTER (WHERE r.asks_confirmation = 1
                                             AND a.status IN ('confirmed', 'completed'))
                     FROM messages m
                     JOIN reminder_rules r ON r.id = m.rule_id
                     LEFT JOIN appointments a ON r.asks_confirmation = 1 AND a.id = m.appointment_id
                     WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}"
                ),
                params![stamp(from), stamp(to)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok((sent, asked, confirmed))
        })
    }

    /// No-shows among appointments that started in the period, with and without a reminder
    /// sent.
    pub fn no_show_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<NoShowCounts, StoreError> {
        self.read(|conn| {
            let (rn, rh, nn, nh) = conn.query_row(
                &format!(
                    "WITH happened AS (
                        SELECT a.status,
                               EXISTS (SELECT 1 FROM messages m WHERE m.appointment_id = a.id
                                         AND m.rule_id IS NOT NULL AND {SENT}) AS reminded
                        FROM appointments a
                        WHERE a.starts_at >= ?1 AND a.starts_at < ?2
                          AND a.status IN ('completed', 'no_show'))
                     SELECT count(*) FILTER (WHERE reminded AND status = 'no_show'),
                            count(*) FILTER (WHERE reminded),
                            count(*) FILTER (WHERE NOT reminded AND status = 'no_show'),
                            count(*) FILTER (WHERE NOT reminded)
                     FROM happened"
                ),
                params![stamp(from), stamp(to)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            Ok(NoShowCounts {
                reminded: (rn, rh),
                not_reminded: (nn, nh),
            })
        })
    }

    /// Revocations that came by text (keyword or carrier report) in the period.
    pub fn text_opt_outs(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<u32, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(DISTINCT client_id) FROM consent_events
                 WHERE action = 'revoked' AND channel IN ('sms_keyword', 'provider_report')
                   AND recorded_at >= ?1 AND recorded_at < ?2",
                params![stamp(from), stamp(to)],
                |r| r.get(0),
            )?)
        })
    }

    /// Seconds from each customer text that needed a reply (in the period) to the next staff
    /// text on that number.
    pub fn first_response_seconds(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT unixepoch(answered_at) - unixepoch(sent_at) FROM messages
                 WHERE direction = 'inbound' AND sent_at >= ?1 AND sent_at < ?2
                   AND needs_answer = 1 AND answered_at IS NOT NULL",
            )?;
            // Texts never answered have no time: they are not counted.
            let rows = stmt
                .query_map(params![stamp(from), stamp(to)], |r| {
                    r.get::<_, Option<i64>>(0)
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows.into_iter().flatten().collect())
        })
    }

    /// Numbers that texted in the period, and of those, how many got no staff text in it
    /// (handled by automation alone).
    pub fn deflection_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(u32, u32), StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "WITH talkers AS (
                    SELECT DISTINCT from_number AS phone FROM messages
                    WHERE direction = 'inbound' AND sent_at >= ?1 AND sent_at < ?2)
                 SELECT count(*) FILTER (WHERE NOT EXISTS (
                            SELECT 1 FROM messages s WHERE s.direction = 'outbound'
                              AND s.to_number = t.phone AND s.sent_by IS NOT NULL
                              AND s.sent_at >= ?1 AND s.sent_at < ?2)),
                        count(*)
                 FROM talkers t",
                params![stamp(from), stamp(to)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
    }

    /// Reminder results per template version, for comparing wordings.
    pub fn version_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<VersionCounts>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT t.name, v.version, count(*),
                    count(*) FILTER (WHERE m.replied_at IS NOT NULL),
                    count(*) FILTER (WHERE a.status IN ('confirmed', 'completed'))
                 FROM messages m
                 JOIN template_versions v ON v.id = m.template_version_id
                 JOIN templates t ON t.id = v.template_id
                 JOIN appointments a ON a.id = m.appointment_id
                 WHERE m.direction = 'outbound' AND m.rule_id IS NOT NULL
                   AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}
                 GROUP BY t.id, v.version ORDER BY t.name, v.version"
            ))?;
            let rows = stmt
                .query_map(params![stamp(from), stamp(to)], |r| {
                    Ok(VersionCounts {
                        template_name: r.get(0)?,
                        version: r.get(1)?,
                        sent: r.get(2)?,
                        replied: r.get(3)?,
                        confirmed: r.get(4)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}
