//! The counts Insights is built from, read from the local database one business day at a time,
//! and the kept totals of closed days (migration 0013). Which days to read and how to add them
//! up is the engine's business; the arithmetic lives in `tidings_domain::metrics`.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use tidings_domain::keywords::feedback_is_poor;

use crate::kv::{kv_read, kv_write};
use crate::{stamp, Store, StoreError};

/// One business day: its name (business-local `YYYY-MM-DD`) and the instants it runs between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayWindow {
    pub day: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Reminders of one rule and template version sent on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderGroup {
    pub rule_id: i64,
    pub template_version_id: Option<i64>,
    pub sent: u32,
    pub replied: u32,
    pub asked: u32,
    pub confirmed: u32,
    pub reschedule_requested: u32,
}

impl ReminderGroup {
    pub fn add(&mut self, other: &ReminderGroup) {
        self.sent += other.sent;
        self.replied += other.replied;
        self.asked += other.asked;
        self.confirmed += other.confirmed;
        self.reschedule_requested += other.reschedule_requested;
    }
}

/// Everything Insights counts on one business day. Every field adds up across days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayTotals {
    pub day: String,
    /// Texts handed to the provider that day (by sent time): sent, delivered, undelivered, or
    /// failed after hand-over.
    pub sent: u32,
    pub delivered: u32,
    pub failed: u32,
    /// Carrier filtering (30007).
    pub filtered: u32,
    /// (error code or reason, count) of the failed ones.
    pub reasons: Vec<(String, u32)>,
    /// Reminders sent that day …
    pub reminders: u32,
    /// … answered (any text) within 48 hours,
    pub replied: u32,
    /// … that asked YES/NO,
    pub asked: u32,
    /// … of those, whose appointment ended up confirmed or completed,
    pub confirmed: u32,
    pub reschedule_requested: u32,
    /// … whose appointment has happened (completed or no-show),
    pub attended_or_missed: u32,
    /// … and of those, completed.
    pub attended: u32,
    /// Appointments that started that day and happened, with a reminder sent, and the missed
    /// ones of those; then the same without a reminder.
    pub happened_reminded: u32,
    pub no_show_reminded: u32,
    pub happened_not_reminded: u32,
    pub no_show_not_reminded: u32,
    /// Customer texts that started a conversation (the first since staff last wrote) …
    pub conversations: u32,
    /// … and of those, the ones no staff text has followed.
    pub unanswered: u32,
    /// Seconds from each of those conversations to the staff text that answered it.
    pub response_seconds: Vec<u32>,
    /// "How did your visit go?" texts sent that day …
    pub follow_ups: u32,
    /// … answered with a rating or YES/NO,
    pub follow_up_answers: u32,
    /// … of those, poor (1, 2 or NO),
    pub follow_up_poor: u32,
    /// … of those, a rating 1 to 5, and what they add up to.
    pub ratings: u32,
    pub rating_sum: u32,
    /// The day's reminders by rule and template version.
    pub reminder_groups: Vec<ReminderGroup>,
}

impl DayTotals {
    /// Adds `other`'s counts to these (the day's name is kept).
    pub fn add(&mut self, other: &DayTotals) {
        let pairs = [
            (&mut self.sent, other.sent),
            (&mut self.delivered, other.delivered),
            (&mut self.failed, other.failed),
            (&mut self.filtered, other.filtered),
            (&mut self.reminders, other.reminders),
            (&mut self.replied, other.replied),
            (&mut self.asked, other.asked),
            (&mut self.confirmed, other.confirmed),
            (&mut self.reschedule_requested, other.reschedule_requested),
            (&mut self.attended_or_missed, other.attended_or_missed),
            (&mut self.attended, other.attended),
            (&mut self.happened_reminded, other.happened_reminded),
            (&mut self.no_show_reminded, other.no_show_reminded),
            (&mut self.happened_not_reminded, other.happened_not_reminded),
            (&mut self.no_show_not_reminded, other.no_show_not_reminded),
            (&mut self.conversations, other.conversations),
            (&mut self.unanswered, other.unanswered),
            (&mut self.follow_ups, other.follow_ups),
            (&mut self.follow_up_answers, other.follow_up_answers),
            (&mut self.follow_up_poor, other.follow_up_poor),
            (&mut self.ratings, other.ratings),
            (&mut self.rating_sum, other.rating_sum),
        ];
        for (mine, theirs) in pairs {
            *mine += theirs;
        }
        self.response_seconds
            .extend_from_slice(&other.response_seconds);
        for (reason, count) in &other.reasons {
            match self.reasons.iter_mut().find(|(r, _)| r == reason) {
                Some((_, n)) => *n += count,
                None => self.reasons.push((reason.clone(), *count)),
            }
        }
        for g in &other.reminder_groups {
            match self
                .reminder_groups
                .iter_mut()
                .find(|m| m.rule_id == g.rule_id && m.template_version_id == g.template_version_id)
            {
                Some(m) => m.add(g),
                None => self.reminder_groups.push(g.clone()),
            }
        }
    }
}

// `+m.status` keeps the planner on the sent-time index (there are no statistics to steer it).
const SENT: &str = "(+m.status IN ('sent', 'delivered', 'undelivered')
                     OR (+m.status = 'failed' AND m.provider_id IS NOT NULL))";

/// The settings key naming what the kept days were counted with (see `insights_prepare`).
const KEPT_WITH: &str = "insights_days_counted_with";

fn count_day(conn: &Connection, w: &DayWindow) -> Result<DayTotals, StoreError> {
    let (from, to) = (stamp(w.start), stamp(w.end));
    let mut d = DayTotals {
        day: w.day.clone(),
        ..DayTotals::default()
    };
    conn.prepare_cached(&format!(
        "SELECT count(*), count(*) FILTER (WHERE m.status = 'delivered'),
                count(*) FILTER (WHERE m.status IN ('undelivered', 'failed')),
                count(*) FILTER (WHERE m.error_code = '30007')
         FROM messages m
         WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}"
    ))?
    .query_row(params![from, to], |r| {
        d.sent = r.get(0)?;
        d.delivered = r.get(1)?;
        d.failed = r.get(2)?;
        d.filtered = r.get(3)?;
        Ok(())
    })?;
    d.reasons = conn
        .prepare_cached(&format!(
            "SELECT coalesce(m.error_code, m.reason, 'unknown'), count(*) FROM messages m
             WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}
               AND +m.status IN ('undelivered', 'failed')
             GROUP BY 1"
        ))?
        .query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let groups = conn
        .prepare_cached(&format!(
            "SELECT m.rule_id, m.template_version_id, count(*),
                count(*) FILTER (WHERE m.replied_at IS NOT NULL),
                count(*) FILTER (WHERE r.asks_confirmation = 1),
                count(*) FILTER (WHERE r.asks_confirmation = 1 AND a.status IN ('confirmed', 'completed')),
                count(*) FILTER (WHERE a.status = 'reschedule_requested'),
                count(*) FILTER (WHERE a.status IN ('completed', 'no_show')),
                count(*) FILTER (WHERE a.status = 'completed')
             FROM messages m
             JOIN reminder_rules r ON r.id = m.rule_id
             JOIN appointments a ON a.id = m.appointment_id
             WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}
             GROUP BY m.rule_id, m.template_version_id"
        ))?
        .query_map(params![from, to], |r| {
            Ok((
                ReminderGroup {
                    rule_id: r.get(0)?,
                    template_version_id: r.get(1)?,
                    sent: r.get(2)?,
                    replied: r.get(3)?,
                    asked: r.get(4)?,
                    confirmed: r.get(5)?,
                    reschedule_requested: r.get(6)?,
                },
                r.get::<_, u32>(7)?,
                r.get::<_, u32>(8)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (g, attended_or_missed, attended) in groups {
        d.reminders += g.sent;
        d.replied += g.replied;
        d.asked += g.asked;
        d.confirmed += g.confirmed;
        d.reschedule_requested += g.reschedule_requested;
        d.attended_or_missed += attended_or_missed;
        d.attended += attended;
        d.reminder_groups.push(g);
    }
    conn.prepare_cached(&format!(
        "WITH happened AS (
            SELECT a.status,
                   EXISTS (SELECT 1 FROM messages m WHERE m.appointment_id = a.id
                             AND m.rule_id IS NOT NULL AND {SENT}) AS reminded
            FROM appointments a
            WHERE a.starts_at >= ?1 AND a.starts_at < ?2
              AND a.status IN ('completed', 'no_show'))
         SELECT count(*) FILTER (WHERE reminded),
                count(*) FILTER (WHERE reminded AND status = 'no_show'),
                count(*) FILTER (WHERE NOT reminded),
                count(*) FILTER (WHERE NOT reminded AND status = 'no_show')
         FROM happened"
    ))?
    .query_row(params![from, to], |r| {
        d.happened_reminded = r.get(0)?;
        d.no_show_reminded = r.get(1)?;
        d.happened_not_reminded = r.get(2)?;
        d.no_show_not_reminded = r.get(3)?;
        Ok(())
    })?;
    // One row per conversation started that day: whether staff has answered it, and when.
    let conversations = conn
        .prepare_cached(
            "SELECT answered_at IS NULL, max(0, unixepoch(answered_at) - unixepoch(sent_at))
             FROM messages
             WHERE direction = 'inbound' AND sent_at >= ?1 AND sent_at < ?2 AND needs_answer = 1",
        )?
        .query_map(params![from, to], |r| {
            Ok((r.get::<_, bool>(0)?, r.get::<_, Option<i64>>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (unanswered, seconds) in conversations {
        d.conversations += 1;
        d.unanswered += u32::from(unanswered);
        if let Some(s) = seconds {
            d.response_seconds
                .push(u32::try_from(s).unwrap_or(u32::MAX));
        }
    }
    let answers = conn
        .prepare_cached(&format!(
            "SELECT a.feedback, count(*) FROM messages m
             JOIN appointments a ON a.id = m.appointment_id
             WHERE m.direction = 'outbound' AND m.sent_at >= ?1 AND m.sent_at < ?2 AND {SENT}
               AND m.follow_up = 1
             GROUP BY a.feedback"
        ))?
        .query_map(params![from, to], |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, u32>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (answer, n) in answers {
        d.follow_ups += n;
        let Some(answer) = answer else { continue };
        d.follow_up_answers += n;
        if feedback_is_poor(&answer) {
            d.follow_up_poor += n;
        }
        if let Ok(rating) = answer.parse::<u32>() {
            d.ratings += n;
            d.rating_sum += rating * n;
        }
    }
    Ok(d)
}

impl Store {
    /// Counts each of `days` from the texts and appointments themselves; with them, the
    /// contents' generation to hand back to [`Store::insights_keep_days`].
    pub fn insights_count_days(
        &self,
        days: &[DayWindow],
    ) -> Result<(Vec<DayTotals>, u64), StoreError> {
        self.read(|conn| {
            let generation = self.generation.load(Ordering::SeqCst);
            let counted = days
                .iter()
                .map(|w| count_day(conn, w))
                .collect::<Result<_, _>>()?;
            Ok((counted, generation))
        })
    }

    /// Gets the kept days ready to read: if they were counted with something other than
    /// `counted_with` (another time zone, older definitions) they are all dropped; then every
    /// UTC day changed since the last call is taken off the to-do list and the business days
    /// `touched` maps it to are dropped. Returns how many kept days were dropped.
    pub fn insights_prepare(
        &self,
        counted_with: &str,
        touched: impl Fn(&str) -> Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            let kept = kv_read(tx, KEPT_WITH)?;
            if kept.as_deref() != Some(counted_with) {
                let dropped = tx.execute("DELETE FROM insights_days", [])?;
                tx.execute("DELETE FROM insights_dirty", [])?;
                kv_write(tx, KEPT_WITH, counted_with, now)?;
                return Ok(dropped);
            }
            let changed = tx
                .prepare("DELETE FROM insights_dirty RETURNING utc_day")?
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let mut dropped = 0;
            let mut forget = tx.prepare("DELETE FROM insights_days WHERE day = ?1")?;
            for utc_day in changed {
                for day in touched(&utc_day) {
                    dropped += forget.execute([day])?;
                }
            }
            Ok(dropped)
        })
    }

    /// The kept totals of the days from `first` to `last` (business-local, inclusive).
    pub fn insights_kept_days(
        &self,
        first: &str,
        last: &str,
    ) -> Result<Vec<DayTotals>, StoreError> {
        self.read(|conn| {
            let mut days = conn
                .prepare_cached(
                    "SELECT day, sent, delivered, failed, filtered, reminders, replied, asked,
                        confirmed, reschedule_requested, attended_or_missed, attended,
                        happened_reminded, no_show_reminded, happened_not_reminded,
                        no_show_not_reminded, conversations, unanswered, response_seconds,
                        follow_ups, follow_up_answers, follow_up_poor, ratings, rating_sum
                     FROM insights_days WHERE day >= ?1 AND day <= ?2 ORDER BY day",
                )?
                .query_map(params![first, last], |r| {
                    Ok(DayTotals {
                        day: r.get(0)?,
                        sent: r.get(1)?,
                        delivered: r.get(2)?,
                        failed: r.get(3)?,
                        filtered: r.get(4)?,
                        reminders: r.get(5)?,
                        replied: r.get(6)?,
                        asked: r.get(7)?,
                        confirmed: r.get(8)?,
                        reschedule_requested: r.get(9)?,
                        attended_or_missed: r.get(10)?,
                        attended: r.get(11)?,
                        happened_reminded: r.get(12)?,
                        no_show_reminded: r.get(13)?,
                        happened_not_reminded: r.get(14)?,
                        no_show_not_reminded: r.get(15)?,
                        conversations: r.get(16)?,
                        unanswered: r.get(17)?,
                        response_seconds: r
                            .get::<_, Vec<u8>>(18)?
                            .chunks_exact(4)
                            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                            .collect(),
                        follow_ups: r.get(19)?,
                        follow_up_answers: r.get(20)?,
                        follow_up_poor: r.get(21)?,
                        ratings: r.get(22)?,
                        rating_sum: r.get(23)?,
                        ..DayTotals::default()
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut reasons = conn.prepare_cached(
                "SELECT day, reason, count FROM insights_day_reasons
                 WHERE day >= ?1 AND day <= ?2 ORDER BY day",
            )?;
            let mut rows = reasons.query(params![first, last])?;
            while let Some(r) = rows.next()? {
                let day: String = r.get(0)?;
                if let Some(d) = days.iter_mut().find(|d| d.day == day) {
                    d.reasons.push((r.get(1)?, r.get(2)?));
                }
            }
            let mut groups = conn.prepare_cached(
                "SELECT day, rule_id, template_version_id, sent, replied, asked, confirmed,
                    reschedule_requested
                 FROM insights_day_reminders WHERE day >= ?1 AND day <= ?2 ORDER BY day",
            )?;
            let mut rows = groups.query(params![first, last])?;
            while let Some(r) = rows.next()? {
                let day: String = r.get(0)?;
                if let Some(d) = days.iter_mut().find(|d| d.day == day) {
                    let version: i64 = r.get(2)?;
                    d.reminder_groups.push(ReminderGroup {
                        rule_id: r.get(1)?,
                        template_version_id: (version != 0).then_some(version),
                        sent: r.get(3)?,
                        replied: r.get(4)?,
                        asked: r.get(5)?,
                        confirmed: r.get(6)?,
                        reschedule_requested: r.get(7)?,
                    });
                }
            }
            Ok(days)
        })
    }

    /// Keeps the totals of closed days (replacing any kept before), unless the database was
    /// restored since they were counted (`generation`); returns whether they were kept.
    pub fn insights_keep_days(
        &self,
        days: &[DayTotals],
        generation: u64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            // The lock is held: a restore cannot start between this check and the writes.
            if self.generation.load(Ordering::SeqCst) != generation {
                return Ok(false);
            }
            let mut forget = tx.prepare_cached("DELETE FROM insights_days WHERE day = ?1")?;
            let mut day_row = tx.prepare_cached(
                "INSERT INTO insights_days (day, sent, delivered, failed, filtered, reminders,
                    replied, asked, confirmed, reschedule_requested, attended_or_missed, attended,
                    happened_reminded, no_show_reminded, happened_not_reminded,
                    no_show_not_reminded, conversations, unanswered, response_seconds,
                    follow_ups, follow_up_answers, follow_up_poor, ratings, rating_sum, computed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
            )?;
            let mut reason_row = tx.prepare_cached(
                "INSERT INTO insights_day_reasons (day, reason, count) VALUES (?1, ?2, ?3)",
            )?;
            let mut group_row = tx.prepare_cached(
                "INSERT INTO insights_day_reminders (day, rule_id, template_version_id, sent,
                    replied, asked, confirmed, reschedule_requested)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let at = stamp(now);
            for d in days {
                forget.execute([&d.day])?;
                day_row.execute(params![
                    d.day,
                    d.sent,
                    d.delivered,
                    d.failed,
                    d.filtered,
                    d.reminders,
                    d.replied,
                    d.asked,
                    d.confirmed,
                    d.reschedule_requested,
                    d.attended_or_missed,
                    d.attended,
                    d.happened_reminded,
                    d.no_show_reminded,
                    d.happened_not_reminded,
                    d.no_show_not_reminded,
                    d.conversations,
                    d.unanswered,
                    d.response_seconds
                        .iter()
                        .flat_map(|s| s.to_le_bytes())
                        .collect::<Vec<u8>>(),
                    d.follow_ups,
                    d.follow_up_answers,
                    d.follow_up_poor,
                    d.ratings,
                    d.rating_sum,
                    at
                ])?;
                for (reason, count) in &d.reasons {
                    reason_row.execute(params![d.day, reason, count])?;
                }
                for g in &d.reminder_groups {
                    group_row.execute(params![
                        d.day,
                        g.rule_id,
                        g.template_version_id.unwrap_or(0),
                        g.sent,
                        g.replied,
                        g.asked,
                        g.confirmed,
                        g.reschedule_requested
                    ])?;
                }
            }
            Ok(true)
        })
    }

    /// Drops every kept day (they are counted again when next needed).
    pub fn insights_forget_all(&self) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM insights_days", [])?;
            Ok(())
        })
    }
}
