//! Reminder rules: when each reminder goes and with which template, saved singly or as a preset.

use rusqlite::{params, OptionalExtension, Row};

use crate::audit::{self, NewAuditEntry};
use crate::{Store, StoreError};

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

impl Store {
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
}
