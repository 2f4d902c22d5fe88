//! Business settings, one row per field (JSON values), so a new field needs no migration.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde_json::{Map, Value};
use tidings_domain::Settings;

use crate::audit::{self, NewAuditEntry};
use crate::{Store, StoreError};

impl Store {
    /// The saved settings, with defaults for anything never saved.
    pub fn load_settings(&self) -> Result<Settings, StoreError> {
        self.read(|conn| {
            let mut stored = match serde_json::to_value(Settings::default())? {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            let mut stmt = conn.prepare("SELECT key, value FROM settings")?;
            let rows = stmt
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            for (key, value) in rows {
                // Keys this version does not know (from a later, downgraded install) are kept in
                // the table but ignored here.
                if stored.contains_key(&key) {
                    stored.insert(key, serde_json::from_str(&value)?);
                }
            }
            Ok(serde_json::from_value(Value::Object(stored))?)
        })
    }

    /// Saves `next` and an audit entry naming every field that changed (from, to), in one
    /// transaction. Returns the names of the fields that changed; nothing is written when none did.
    pub fn save_settings(
        &self,
        next: &Settings,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Vec<String>, StoreError> {
        let before = serde_json::to_value(self.load_settings()?)?;
        let after = serde_json::to_value(next)?;
        let (Value::Object(before), Value::Object(after)) = (before, after) else {
            return Err(StoreError::Decode("settings are not an object".into()));
        };
        let changed: Vec<(String, Value, Value)> = after
            .into_iter()
            .filter_map(|(key, to)| {
                let from = before.get(&key).cloned().unwrap_or(Value::Null);
                (from != to).then_some((key, from, to))
            })
            .collect();
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        let at: DateTime<Utc> = audit_entry.at;
        self.write(|tx| {
            for (key, _, to) in &changed {
                tx.execute(
                    "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                                                     updated_at = excluded.updated_at",
                    params![key, to.to_string(), at.to_rfc3339()],
                )?;
            }
            let detail: Map<String, Value> = changed
                .iter()
                .map(|(key, from, to)| (key.clone(), serde_json::json!({ "from": from, "to": to })))
                .collect();
            audit::insert(
                tx,
                &NewAuditEntry {
                    detail: Value::Object(detail),
                    ..audit_entry
                },
            )?;
            Ok(())
        })?;
        Ok(changed.into_iter().map(|(key, _, _)| key).collect())
    }
}
