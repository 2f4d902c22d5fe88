//! Clients and their consent ledger.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use tidings_domain::import::{ExistingClient, ImportReport, RowOutcome, RowPlan, SkippedRow};
use tidings_domain::{
    Client, ConsentAction, ConsentChannel, ConsentEvent, ConsentState, ConsentSummary, Disclosure,
    Purpose, ValidClient,
};

use crate::audit::{self, NewAuditEntry};
use crate::{Store, StoreError};

const CLIENT_COLUMNS: &str =
    "c.id, c.name, c.phone, c.timezone, c.notes, c.archived, c.created_at, c.updated_at,
     (SELECT action FROM consent_events e WHERE e.client_id = c.id AND e.purpose = 'service'
      ORDER BY e.id DESC LIMIT 1),
     (SELECT action FROM consent_events e WHERE e.client_id = c.id AND e.purpose = 'marketing'
      ORDER BY e.id DESC LIMIT 1),
     c.unreachable_reason, c.language";

const EVENT_COLUMNS: &str =
    "id, client_id, purpose, action, channel, disclosure_text, disclosure_version,
     recorded_by, occurred_at, recorded_at, evidence, message_id";

pub(crate) fn time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

fn bad_value(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {what} {value:?}").into(),
    )
}

fn consent_state(value: Option<String>) -> ConsentState {
    match value.as_deref() {
        Some("granted") => ConsentState::Granted,
        Some("revoked") => ConsentState::Revoked,
        _ => ConsentState::None,
    }
}

fn client(row: &Row<'_>) -> rusqlite::Result<Client> {
    Ok(Client {
        id: row.get(0)?,
        name: row.get(1)?,
        phone: row.get(2)?,
        timezone: row.get(3)?,
        notes: row.get(4)?,
        archived: row.get::<_, i64>(5)? != 0,
        created_at: time(&row.get::<_, String>(6)?)?,
        updated_at: time(&row.get::<_, String>(7)?)?,
        consent: ConsentSummary {
            service: consent_state(row.get(8)?),
            marketing: consent_state(row.get(9)?),
        },
        unreachable: row.get(10)?,
        language: row.get(11)?,
    })
}

fn event(row: &Row<'_>) -> rusqlite::Result<ConsentEvent> {
    let purpose: String = row.get(2)?;
    let action: String = row.get(3)?;
    let channel: String = row.get(4)?;
    Ok(ConsentEvent {
        id: row.get(0)?,
        client_id: row.get(1)?,
        purpose: Purpose::parse(&purpose).ok_or_else(|| bad_value("purpose", &purpose))?,
        action: ConsentAction::parse(&action).ok_or_else(|| bad_value("action", &action))?,
        channel: ConsentChannel::parse(&channel).ok_or_else(|| bad_value("channel", &channel))?,
        disclosure_text: row.get(5)?,
        disclosure_version: row.get(6)?,
        recorded_by: row.get(7)?,
        occurred_at: time(&row.get::<_, String>(8)?)?,
        recorded_at: time(&row.get::<_, String>(9)?)?,
        evidence: row.get(10)?,
        message_id: row.get(11)?,
    })
}

fn disclosure(row: &Row<'_>) -> rusqlite::Result<Disclosure> {
    let purpose: String = row.get(0)?;
    Ok(Disclosure {
        purpose: Purpose::parse(&purpose).ok_or_else(|| bad_value("purpose", &purpose))?,
        version: row.get(1)?,
        template: row.get(2)?,
        created_at: time(&row.get::<_, String>(3)?)?,
    })
}

fn client_by_id(conn: &Connection, id: i64) -> Result<Option<Client>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {CLIENT_COLUMNS} FROM clients c WHERE c.id = ?1"),
            [id],
            client,
        )
        .optional()?)
}

/// A consent event about to be appended.
#[derive(Debug, Clone)]
pub struct NewConsentEvent<'a> {
    pub client_id: i64,
    pub purpose: Purpose,
    pub action: ConsentAction,
    pub channel: ConsentChannel,
    pub disclosure: &'a Disclosure,
    pub business_name: &'a str,
    pub recorded_by: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub evidence: Option<&'a str>,
    pub message_id: Option<i64>,
}

pub(crate) fn append_event(
    tx: &Transaction<'_>,
    new: &NewConsentEvent<'_>,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO consent_events (client_id, purpose, action, channel, disclosure_text,
            disclosure_version, recorded_by, occurred_at, recorded_at, evidence, message_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            new.client_id,
            new.purpose.as_str(),
            new.action.as_str(),
            new.channel.as_str(),
            new.disclosure.render(new.business_name),
            new.disclosure.version,
            new.recorded_by,
            new.occurred_at.to_rfc3339(),
            new.recorded_at.to_rfc3339(),
            new.evidence,
            new.message_id,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

fn current_state(
    tx: &Connection,
    client_id: i64,
    purpose: Purpose,
) -> Result<ConsentState, StoreError> {
    let action: Option<String> = tx
        .query_row(
            "SELECT action FROM consent_events WHERE client_id = ?1 AND purpose = ?2
             ORDER BY id DESC LIMIT 1",
            params![client_id, purpose.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(consent_state(action))
}

/// How to search the client list.
#[derive(Debug, Clone, Default)]
pub struct ClientSearch {
    /// Matched against the name, case-insensitively.
    pub text: Option<String>,
    /// Matched anywhere in the E.164 number.
    pub digits: Option<String>,
    pub include_archived: bool,
    pub limit: u32,
}

/// Consent stated for a whole imported file.
#[derive(Debug, Clone)]
pub struct ImportConsentSpec<'a> {
    pub purpose: Purpose,
    pub disclosure: &'a Disclosure,
    pub business_name: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub obtained_on: NaiveDate,
    pub source: &'a str,
    pub recorded_by: &'a str,
}

impl Store {
    pub fn client(&self, id: i64) -> Result<Option<Client>, StoreError> {
        self.read(|conn| client_by_id(conn, id))
    }

    /// The clients that have a time zone of their own, with it.
    pub fn client_timezones(&self) -> Result<HashMap<i64, String>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT id, timezone FROM clients WHERE timezone IS NOT NULL")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<HashMap<i64, String>, _>>()?;
            Ok(rows)
        })
    }

    pub fn client_by_phone(&self, phone: &str) -> Result<Option<Client>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {CLIENT_COLUMNS} FROM clients c WHERE c.phone = ?1"),
                    [phone],
                    client,
                )
                .optional()?)
        })
    }

    /// Clients matching a search, by name.
    pub fn search_clients(&self, search: &ClientSearch) -> Result<Vec<Client>, StoreError> {
        self.read(|conn| {
            let like = |s: &str| {
                format!(
                    "%{}%",
                    s.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            };
            let mut stmt = conn.prepare(&format!(
                "SELECT {CLIENT_COLUMNS} FROM clients c
                 WHERE (?1 OR c.archived = 0)
                   AND (?2 IS NULL AND ?3 IS NULL
                        OR c.name LIKE ?2 ESCAPE '\\'
                        OR c.phone LIKE ?3 ESCAPE '\\')
                 ORDER BY c.name COLLATE NOCASE, c.id
                 LIMIT ?4"
            ))?;
            let rows = stmt
                .query_map(
                    params![
                        search.include_archived,
                        search.text.as_deref().map(like),
                        search.digits.as_deref().map(like),
                        search.limit,
                    ],
                    client,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn count_clients(&self) -> Result<i64, StoreError> {
        self.read(|conn| Ok(conn.query_row("SELECT count(*) FROM clients", [], |r| r.get(0))?))
    }

    /// Adds a client. A number that already belongs to a client is refused by the database.
    pub fn insert_client(
        &self,
        valid: &ValidClient,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Client, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO clients (name, phone, timezone, notes, created_at, updated_at, language)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
                params![
                    valid.name,
                    valid.phone,
                    valid.timezone,
                    valid.notes,
                    now.to_rfc3339(),
                    valid.language
                ],
            )?;
            let id = tx.last_insert_rowid();
            let id_text = id.to_string();
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(&id_text),
                    detail: serde_json::json!({ "name": valid.name, "phone": valid.phone }),
                    ..audit_entry
                },
            )?;
            client_by_id(tx, id)?.ok_or(StoreError::Decode("client vanished".into()))
        })
    }

    /// Replaces a client's details.
    pub fn update_client(
        &self,
        id: i64,
        valid: &ValidClient,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Option<Client>, StoreError> {
        self.write(|tx| {
            let Some(before) = client_by_id(tx, id)? else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE clients SET name = ?2, phone = ?3, timezone = ?4, notes = ?5, updated_at = ?6,
                    unreachable_reason = CASE WHEN phone = ?3 THEN unreachable_reason END,
                    language = ?7
                 WHERE id = ?1",
                params![
                    id,
                    valid.name,
                    valid.phone,
                    valid.timezone,
                    valid.notes,
                    now.to_rfc3339(),
                    valid.language
                ],
            )?;
            let id_text = id.to_string();
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(&id_text),
                    detail: serde_json::json!({
                        "from": { "name": before.name, "phone": before.phone, "timezone": before.timezone, "notes": before.notes },
                        "to": { "name": valid.name, "phone": valid.phone, "timezone": valid.timezone, "notes": valid.notes },
                    }),
                    ..audit_entry
                },
            )?;
            client_by_id(tx, id)
        })
    }

    pub fn set_client_archived(
        &self,
        id: i64,
        archived: bool,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Option<Client>, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE clients SET archived = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, archived, now.to_rfc3339()],
            )?;
            if n == 0 {
                return Ok(None);
            }
            let id_text = id.to_string();
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(&id_text),
                    detail: serde_json::json!({ "archived": archived }),
                    ..audit_entry
                },
            )?;
            client_by_id(tx, id)
        })
    }

    /// A client's whole ledger, oldest first.
    pub fn consent_events(&self, client_id: i64) -> Result<Vec<ConsentEvent>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {EVENT_COLUMNS} FROM consent_events WHERE client_id = ?1 ORDER BY id"
            ))?;
            let rows = stmt
                .query_map([client_id], event)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Appends one consent event and returns it.
    pub fn append_consent(&self, new: &NewConsentEvent<'_>) -> Result<ConsentEvent, StoreError> {
        self.write(|tx| {
            let id = append_event(tx, new)?;
            Ok(tx.query_row(
                &format!("SELECT {EVENT_COLUMNS} FROM consent_events WHERE id = ?1"),
                [id],
                event,
            )?)
        })
    }

    /// The newest disclosure for each purpose.
    pub fn current_disclosures(&self) -> Result<Vec<Disclosure>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT purpose, version, template, created_at FROM disclosures d
                 WHERE version = (SELECT max(version) FROM disclosures WHERE purpose = d.purpose)
                 ORDER BY purpose DESC",
            )?;
            let rows = stmt
                .query_map([], disclosure)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Every version of the disclosures, newest first.
    pub fn disclosure_history(&self) -> Result<Vec<Disclosure>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT purpose, version, template, created_at FROM disclosures
                 ORDER BY purpose DESC, version DESC",
            )?;
            let rows = stmt
                .query_map([], disclosure)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Adds a new version of a purpose's disclosure; the old ones stay as they were.
    pub fn add_disclosure_version(
        &self,
        purpose: Purpose,
        template: &str,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Disclosure, StoreError> {
        self.write(|tx| {
            let version: u32 = tx.query_row(
                "SELECT coalesce(max(version), 0) + 1 FROM disclosures WHERE purpose = ?1",
                [purpose.as_str()],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO disclosures (purpose, version, template, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    purpose.as_str(),
                    version,
                    template,
                    now.to_rfc3339(),
                    audit_entry.actor
                ],
            )?;
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(purpose.as_str()),
                    detail: serde_json::json!({ "version": version, "template": template }),
                    ..audit_entry
                },
            )?;
            Ok(Disclosure {
                purpose,
                version,
                template: template.to_owned(),
                created_at: now,
            })
        })
    }

    /// Every client keyed by number, for planning an import.
    pub fn existing_clients(&self) -> Result<HashMap<String, ExistingClient>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT id, name, phone, timezone, notes, language FROM clients")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(2)?,
                        ExistingClient {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            timezone: r.get(3)?,
                            notes: r.get(4)?,
                            language: r.get(5)?,
                        },
                    ))
                })?
                .collect::<Result<HashMap<_, _>, _>>()?;
            Ok(rows)
        })
    }

    /// Writes a planned import in one transaction: all of it or none of it. Stated consent is
    /// recorded for imported and updated rows, but never over an opt-out and never twice.
    pub fn apply_import(
        &self,
        plan: &[RowPlan],
        consent: Option<&ImportConsentSpec<'_>>,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport, StoreError> {
        let mut report = ImportReport::from_plan(plan, false);
        self.write(|tx| {
            let now_text = now.to_rfc3339();
            let mut insert = tx.prepare(
                "INSERT INTO clients (name, phone, timezone, notes, created_at, updated_at, language)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            )?;
            let mut update = tx.prepare(
                "UPDATE clients SET name = ?2,
                    timezone = coalesce(?3, timezone),
                    notes = CASE WHEN ?4 = '' THEN notes ELSE ?4 END,
                    updated_at = ?5,
                    language = coalesce(?6, language)
                 WHERE id = ?1",
            )?;
            let total = plan.len();
            for (done, row) in plan.iter().enumerate() {
                if done % 500 == 0 {
                    progress(done, total);
                }
                let Some(valid) = row.valid.as_ref() else {
                    continue;
                };
                let client_id = match row.outcome {
                    RowOutcome::New => {
                        insert.execute(params![
                            valid.name,
                            valid.phone,
                            valid.timezone,
                            valid.notes,
                            now_text,
                            valid.language
                        ])?;
                        tx.last_insert_rowid()
                    }
                    RowOutcome::Update { client_id } => {
                        update.execute(params![
                            client_id,
                            valid.name,
                            valid.timezone,
                            valid.notes,
                            now_text,
                            valid.language
                        ])?;
                        client_id
                    }
                    RowOutcome::Unchanged { client_id } => client_id,
                    RowOutcome::Skipped { .. } => continue,
                };
                if let Some(spec) = consent {
                    match current_state(tx, client_id, spec.purpose)? {
                        ConsentState::Revoked => report.consent_not_recorded.push(SkippedRow {
                            row: row.row,
                            reason:
                                "the client has opted out; an import never overrides an opt-out"
                                    .into(),
                        }),
                        ConsentState::Granted => report.consent_not_recorded.push(SkippedRow {
                            row: row.row,
                            reason: "consent is already recorded".into(),
                        }),
                        ConsentState::None => {
                            let evidence = format!(
                                "Stated for the whole imported file: {} (obtained {})",
                                spec.source, spec.obtained_on
                            );
                            append_event(
                                tx,
                                &NewConsentEvent {
                                    client_id,
                                    purpose: spec.purpose,
                                    action: ConsentAction::Granted,
                                    channel: ConsentChannel::Import,
                                    disclosure: spec.disclosure,
                                    business_name: spec.business_name,
                                    recorded_by: spec.recorded_by,
                                    occurred_at: spec.occurred_at,
                                    recorded_at: now,
                                    evidence: Some(&evidence),
                                    message_id: None,
                                },
                            )?;
                            report.consent_recorded += 1;
                        }
                    }
                }
            }
            progress(total, total);
            audit::insert(
                tx,
                &NewAuditEntry {
                    detail: serde_json::to_value(&report)?,
                    ..audit_entry
                },
            )?;
            Ok(())
        })?;
        Ok(report)
    }
}
