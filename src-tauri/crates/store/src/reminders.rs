//! Templates, reminder rules and messages.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use tidings_domain::{MessageStatus, Purpose, TemplateKind};

use crate::appointments::stamp;
use crate::audit::{self, NewAuditEntry};
use crate::clients::time;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub id: i64,
    pub key: String,
    pub kind: TemplateKind,
    pub name: String,
    pub purpose: Purpose,
    pub version: u32,
    pub version_id: i64,
    /// The English text.
    pub body: String,
    /// The text in each other language it has, by code ("es"), of the same version.
    pub translations: BTreeMap<String, String>,
    pub updated_at: DateTime<Utc>,
}

impl TemplateRow {
    /// The text in `language`, or the English one when it has none (the bool says which).
    pub fn text_in(&self, language: &str) -> (&str, bool) {
        match self.translations.get(language) {
            Some(text) if !text.trim().is_empty() => (text, true),
            _ => (&self.body, language == "en"),
        }
    }
}

/// A template Tidings ships: its English text and its translations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedTemplate {
    pub key: &'static str,
    pub kind: TemplateKind,
    pub name: &'static str,
    pub body: &'static str,
    pub translations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateVersionRow {
    pub id: i64,
    pub template_id: i64,
    pub version: u32,
    pub body: String,
    pub translations: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

fn translations(text: &str) -> rusqlite::Result<BTreeMap<String, String>> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    pub id: i64,
    pub name: String,
    pub offset_minutes: u32,
    pub min_lead_minutes: u32,
    pub template_id: i64,
    pub template_name: String,
    pub asks_confirmation: bool,
    pub enabled: bool,
}

/// A rule to create or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    pub id: Option<i64>,
    pub name: String,
    pub offset_minutes: u32,
    pub min_lead_minutes: u32,
    pub template_id: i64,
    pub asks_confirmation: bool,
    pub enabled: bool,
}

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

fn bad(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {what} {value:?}").into(),
    )
}

/// A small remembered value from the settings table.
pub(crate) fn kv_read(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub(crate) fn kv_write(
    conn: &Connection,
    key: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, value, stamp(now)],
    )?;
    Ok(())
}

pub(crate) fn opt_time(value: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    value.map(|v| time(&v)).transpose()
}

const TEMPLATE_SQL: &str =
    "SELECT t.id, t.key, t.kind, t.name, t.purpose, v.version, v.id, v.body, v.created_at,
        v.translations
     FROM templates t JOIN template_versions v ON v.template_id = t.id
     WHERE v.version = (SELECT max(version) FROM template_versions WHERE template_id = t.id)";

fn template(row: &Row<'_>) -> rusqlite::Result<TemplateRow> {
    let kind: String = row.get(2)?;
    let purpose: String = row.get(4)?;
    Ok(TemplateRow {
        id: row.get(0)?,
        key: row.get(1)?,
        kind: TemplateKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        name: row.get(3)?,
        purpose: Purpose::parse(&purpose).ok_or_else(|| bad("purpose", &purpose))?,
        version: row.get(5)?,
        version_id: row.get(6)?,
        body: row.get(7)?,
        updated_at: time(&row.get::<_, String>(8)?)?,
        translations: translations(&row.get::<_, String>(9)?)?,
    })
}

const RULE_SQL: &str =
    "SELECT r.id, r.name, r.offset_minutes, r.min_lead_minutes, r.template_id, t.name,
        r.asks_confirmation, r.enabled
     FROM reminder_rules r JOIN templates t ON t.id = r.template_id
     WHERE r.retired = 0";

fn rule(row: &Row<'_>) -> rusqlite::Result<RuleRow> {
    Ok(RuleRow {
        id: row.get(0)?,
        name: row.get(1)?,
        offset_minutes: row.get(2)?,
        min_lead_minutes: row.get(3)?,
        template_id: row.get(4)?,
        template_name: row.get(5)?,
        asks_confirmation: row.get::<_, i64>(6)? != 0,
        enabled: row.get::<_, i64>(7)? != 0,
    })
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

fn message(row: &Row<'_>) -> rusqlite::Result<MessageRow> {
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
    /// Adds each missing template (by key) with its first version, in every language it ships
    /// in. A template still at the English text Tidings shipped but missing a language it now
    /// ships in gets a new version with it (one written by the desk is left alone).
    pub fn ensure_templates(
        &self,
        shipped: &[ShippedTemplate],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            for t in shipped {
                let translated = serde_json::to_string(&t.translations)?;
                let current: Option<(i64, u32, String, String)> = tx
                    .query_row(
                        "SELECT t.id, v.version, v.body, v.translations
                         FROM templates t JOIN template_versions v ON v.template_id = t.id
                         WHERE t.key = ?1 ORDER BY v.version DESC LIMIT 1",
                        [t.key],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                match current {
                    None => {
                        tx.execute(
                            "INSERT INTO templates (key, kind, name, purpose) VALUES (?1, ?2, ?3, ?4)",
                            params![t.key, t.kind.as_str(), t.name, t.kind.purpose().as_str()],
                        )?;
                        let id = tx.last_insert_rowid();
                        tx.execute(
                            "INSERT INTO template_versions
                                (template_id, version, body, created_at, created_by, translations)
                             VALUES (?1, 1, ?2, ?3, 'Tidings', ?4)",
                            params![id, t.body, stamp(now), translated],
                        )?;
                    }
                    Some((id, version, body, have)) => {
                        let have = translations(&have)?;
                        let missing = t.translations.keys().any(|l| !have.contains_key(l));
                        if body == t.body && missing {
                            let mut all = t.translations.clone();
                            all.extend(have);
                            tx.execute(
                                "INSERT INTO template_versions
                                    (template_id, version, body, created_at, created_by, translations)
                                 VALUES (?1, ?2, ?3, ?4, 'Tidings', ?5)",
                                params![id, version + 1, body, stamp(now), serde_json::to_string(&all)?],
                            )?;
                        }
                    }
                }
            }
            Ok(())
        })
    }

    pub fn templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{TEMPLATE_SQL} ORDER BY t.id"))?;
            let rows = stmt
                .query_map([], template)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn template(&self, id: i64) -> Result<Option<TemplateRow>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(&format!("{TEMPLATE_SQL} AND t.id = ?1"), [id], template)
                .optional()?)
        })
    }

    pub fn template_by_key(&self, key: &str) -> Result<Option<TemplateRow>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(&format!("{TEMPLATE_SQL} AND t.key = ?1"), [key], template)
                .optional()?)
        })
    }

    pub fn template_history(
        &self,
        template_id: i64,
    ) -> Result<Vec<TemplateVersionRow>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, template_id, version, body, created_at, created_by, translations
                 FROM template_versions WHERE template_id = ?1 ORDER BY version DESC",
            )?;
            let rows = stmt
                .query_map([template_id], |r| {
                    Ok(TemplateVersionRow {
                        id: r.get(0)?,
                        template_id: r.get(1)?,
                        version: r.get(2)?,
                        body: r.get(3)?,
                        created_at: time(&r.get::<_, String>(4)?)?,
                        created_by: r.get(5)?,
                        translations: translations(&r.get::<_, String>(6)?)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Saves a new version of a template's wording.
    pub fn add_template_version(
        &self,
        template_id: i64,
        body: &str,
        translated: &BTreeMap<String, String>,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Option<TemplateRow>, StoreError> {
        self.write(|tx| {
            let version: Option<u32> = tx.query_row(
                "SELECT max(version) FROM template_versions WHERE template_id = ?1",
                [template_id],
                |r| r.get(0),
            )?;
            let Some(version) = version else {
                return Ok(None);
            };
            tx.execute(
                "INSERT INTO template_versions
                    (template_id, version, body, created_at, created_by, translations)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    template_id,
                    version + 1,
                    body,
                    stamp(now),
                    audit_entry.actor,
                    serde_json::to_string(translated)?
                ],
            )?;
            let id_text = template_id.to_string();
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(&id_text),
                    detail: serde_json::json!({
                        "version": version + 1,
                        "body": body,
                        "translations": translated,
                    }),
                    ..audit_entry
                },
            )?;
            Ok(tx
                .query_row(
                    &format!("{TEMPLATE_SQL} AND t.id = ?1"),
                    [template_id],
                    template,
                )
                .optional()?)
        })
    }

    /// The rules in force (not retired), in order of timing.
    pub fn rules(&self) -> Result<Vec<RuleRow>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare(&format!("{RULE_SQL} ORDER BY r.offset_minutes DESC, r.id"))?;
            let rows = stmt.query_map([], rule)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn save_rule(
        &self,
        spec: &RuleSpec,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Option<RuleRow>, StoreError> {
        self.write(|tx| {
            let id = match spec.id {
                Some(id) => {
                    let n = tx.execute(
                        "UPDATE reminder_rules SET name = ?2, offset_minutes = ?3, min_lead_minutes = ?4,
                            template_id = ?5, asks_confirmation = ?6, enabled = ?7
                         WHERE id = ?1 AND retired = 0",
                        params![id, spec.name, spec.offset_minutes, spec.min_lead_minutes, spec.template_id, spec.asks_confirmation, spec.enabled],
                    )?;
                    if n == 0 {
                        return Ok(None);
                    }
                    id
                }
                None => {
                    tx.execute(
                        "INSERT INTO reminder_rules (name, offset_minutes, min_lead_minutes, template_id,
                            asks_confirmation, enabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![spec.name, spec.offset_minutes, spec.min_lead_minutes, spec.template_id, spec.asks_confirmation, spec.enabled],
                    )?;
                    tx.last_insert_rowid()
                }
            };
            let id_text = id.to_string();
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(&id_text),
                    detail: serde_json::json!({
                        "name": spec.name, "offset_minutes": spec.offset_minutes,
                        "min_lead_minutes": spec.min_lead_minutes, "enabled": spec.enabled,
                    }),
                    ..audit_entry
                },
            )?;
            Ok(tx.query_row(&format!("{RULE_SQL} AND r.id = ?1"), [id], rule).optional()?)
        })
    }

    /// Retires every rule in force and adds `specs` in one transaction (a preset).
    pub fn replace_rules(
        &self,
        specs: &[RuleSpec],
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Vec<RuleRow>, StoreError> {
        self.write(|tx| {
            // A rule the new set has unchanged (same timing, template and question) is kept with
            // its id: its planned reminders and its history stay as they are. The rest retire.
            let current: Vec<(i64, u32, u32, i64, bool)> = tx
                .prepare(
                    "SELECT id, offset_minutes, min_lead_minutes, template_id, asks_confirmation
                     FROM reminder_rules WHERE retired = 0 ORDER BY id",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                .collect::<Result<_, _>>()?;
            let mut kept: Vec<i64> = Vec::new();
            let mut new_specs = Vec::new();
            for spec in specs {
                let same = current.iter().find(|(id, offset, lead, template, asks)| {
                    !kept.contains(id)
                        && *offset == spec.offset_minutes
                        && *lead == spec.min_lead_minutes
                        && *template == spec.template_id
                        && *asks == spec.asks_confirmation
                });
                match same {
                    Some((id, ..)) => {
                        tx.execute(
                            "UPDATE reminder_rules SET name = ?2, enabled = ?3 WHERE id = ?1",
                            params![id, spec.name, spec.enabled],
                        )?;
                        kept.push(*id);
                    }
                    None => new_specs.push(spec),
                }
            }
            for (id, ..) in current.iter().filter(|(id, ..)| !kept.contains(id)) {
                tx.execute(
                    "UPDATE reminder_rules SET retired = 1, enabled = 0 WHERE id = ?1",
                    [id],
                )?;
            }
            for spec in new_specs {
                tx.execute(
                    "INSERT INTO reminder_rules (name, offset_minutes, min_lead_minutes, template_id,
                        asks_confirmation, enabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![spec.name, spec.offset_minutes, spec.min_lead_minutes, spec.template_id, spec.asks_confirmation, spec.enabled],
                )?;
            }
            audit::insert(tx, &audit_entry)?;
            let mut stmt = tx.prepare(&format!("{RULE_SQL} ORDER BY r.offset_minutes DESC, r.id"))?;
            let rows = stmt.query_map([], rule)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

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
}

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

impl Store {
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
}

impl Store {
    /// A small value kept beside the settings (e.g. the inbound poll cursor).
    pub fn kv_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|conn| kv_read(conn, key))
    }

    pub fn kv_set(&self, key: &str, value: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| kv_write(tx, key, value, now))
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

/// Records a text a customer sent, in the caller's transaction; `None` when that provider id
/// was recorded before.
pub(crate) fn insert_inbound(
    tx: &Transaction<'_>,
    client_id: Option<i64>,
    from: &str,
    to: &str,
    body: &str,
    provider_id: &str,
    received_at: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let at = stamp(received_at);
    // Whether this is the first text since staff last wrote (so it waits for an answer).
    let needs_answer: bool = tx.query_row(
        "SELECT NOT EXISTS (
                SELECT 1 FROM messages p WHERE p.direction = 'inbound' AND p.from_number = ?1
                  AND p.sent_at <= ?2
                  AND p.sent_at >= coalesce((
                    SELECT max(y.sent_at) FROM messages y
                    WHERE y.direction = 'outbound' AND y.to_number = ?1
                      AND y.sent_by IS NOT NULL AND y.sent_at <= ?2), '0'))",
        params![from, at],
        |r| r.get(0),
    )?;
    let n = tx.execute(
            "INSERT INTO messages (direction, client_id, purpose, automated, to_number, from_number, body,
                status, provider_id, sent_at, needs_answer, created_at, updated_at)
             VALUES ('inbound', ?1, 'service', 0, ?2, ?3, ?4, 'received', ?5, ?6, ?7, ?6, ?6)
             ON CONFLICT (provider_id) DO NOTHING",
            params![client_id, to, from, body, provider_id, at, needs_answer],
        )?;
    if n == 1 {
        // The client's reminders of the last 48 hours now count as answered, one sent in the
        // same second as the answer included (times are kept to the second).
        tx.execute(
            "UPDATE messages SET replied_at = ?2
                 WHERE direction = 'outbound' AND client_id = ?1 AND rule_id IS NOT NULL
                   AND replied_at IS NULL AND sent_at <= ?2
                   AND sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', ?2, '-48 hours')",
            params![client_id, at],
        )?;
    }
    Ok((n == 1).then(|| tx.last_insert_rowid()))
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
