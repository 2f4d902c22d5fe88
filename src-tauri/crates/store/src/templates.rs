//! Message templates: each with its versions and translations, kept and read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use tidings_domain::{Purpose, TemplateKind};

use crate::appointments::stamp;
use crate::audit::{self, NewAuditEntry};
use crate::clients::time;
use crate::error::bad;
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
}
