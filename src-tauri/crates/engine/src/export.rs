//! Everything the desk holds, in one zip, for an audit or for leaving: clients (CSV),
//! appointments (CSV and ICS), texts (CSV) and the consent ledger (CSV and JSON).

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use icalendar::{Component, EventLike};
use serde::{Deserialize, Serialize};
use tidings_domain::{AppointmentStatus, ConsentState};
use ts_rs::TS;

use crate::{Engine, EngineError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportSummary {
    pub path: String,
    pub clients: u32,
    pub appointments: u32,
    pub texts: u32,
    pub consent_events: u32,
}

fn failure(e: impl std::fmt::Display) -> EngineError {
    EngineError::Store(tidings_store::StoreError::Decode(e.to_string()))
}

fn stamp(t: DateTime<Utc>) -> String {
    tidings_store::stamp(t)
}

fn state(s: ConsentState) -> &'static str {
    match s {
        ConsentState::Granted => "granted",
        ConsentState::Revoked => "revoked",
        ConsentState::None => "none",
    }
}

fn csv_bytes(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, EngineError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header).map_err(failure)?;
    for row in rows {
        out.write_record(row.iter().map(|cell| spreadsheet_safe(cell).into_owned()))
            .map_err(failure)?;
    }
    out.into_inner().map_err(failure)
}

/// A cell a spreadsheet would run as a formula ("=HYPERLINK(…)" typed as a name, "@SUM" in a
/// text) gets a leading apostrophe, so opening the export shows the text and runs nothing. A
/// phone number or a plain signed number is left as it is.
fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let mut chars = cell.chars();
    let formula = match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars
            .as_str()
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-' | '.')),
        _ => false,
    };
    if formula {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

impl Engine {
    /// Writes the whole export to `target` (which must not exist yet).
    pub fn export_all(&self, target: &Path) -> Result<ExportSummary, EngineError> {
        let clients = self.store.search_clients(&tidings_store::ClientSearch {
            include_archived: true,
            limit: u32::MAX,
            ..Default::default()
        })?;
        let far = chrono::Duration::days(365 * 200);
        let appointments =
            self.store
                .appointments_between(self.now() - far, self.now() + far, None)?;
        let texts = self.store.all_messages()?;
        let mut ledger = Vec::new();
        for c in &clients {
            for e in self.store.consent_events(c.id)? {
                ledger.push((c.clone(), e));
            }
        }
        ledger.sort_by_key(|(_, e)| e.id);

        let clients_csv = csv_bytes(
            &[
                "id",
                "name",
                "phone",
                "timezone",
                "notes",
                "archived",
                "service_consent",
                "marketing_consent",
                "created_at",
                "updated_at",
            ],
            clients.iter().map(|c| {
                vec![
                    c.id.to_string(),
                    c.name.clone(),
                    c.phone.clone(),
                    c.timezone.clone().unwrap_or_default(),
                    c.notes.clone(),
                    c.archived.to_string(),
                    state(c.consent.service).into(),
                    state(c.consent.marketing).into(),
                    stamp(c.created_at),
                    stamp(c.updated_at),
                ]
            }),
        )?;
        let appointments_csv = csv_bytes(
            &[
                "id",
                "starts_at",
                "ends_at",
                "timezone",
                "client",
                "phone",
                "service",
                "staff",
                "location",
                "status",
                "source",
                "external_id",
                "notes",
            ],
            appointments.iter().map(|a| {
                vec![
                    a.id.to_string(),
                    stamp(a.starts_at),
                    stamp(a.ends_at),
                    a.timezone.clone(),
                    a.client_name.clone(),
                    a.client_phone.clone(),
                    a.service.clone().unwrap_or_default(),
                    a.staff.clone().unwrap_or_default(),
                    a.location.clone(),
                    a.status.as_str().into(),
                    a.source.as_str().into(),
                    a.external_id.clone().unwrap_or_default(),
                    a.notes.clone(),
                ]
            }),
        )?;
        let mut calendar = icalendar::Calendar::new();
        calendar.name("Tidings appointments");
        for a in &appointments {
            let mut event = icalendar::Event::new();
            event
                .uid(&format!(
                    "tidings-{}@{}",
                    a.id,
                    crate::paths::APP_IDENTIFIER
                ))
                .summary(&match &a.service {
                    Some(s) => format!("{} · {s}", a.client_name),
                    None => a.client_name.clone(),
                })
                .starts(a.starts_at)
                .ends(a.ends_at)
                .description(format!("{}\n{}", a.client_phone, a.notes).trim())
                .status(if a.status == AppointmentStatus::Cancelled {
                    icalendar::EventStatus::Cancelled
                } else {
                    icalendar::EventStatus::Confirmed
                });
            if !a.location.is_empty() {
                event.location(&a.location);
            }
            calendar.push(event.done());
        }
        let texts_csv = csv_bytes(
            &[
                "id",
                "to",
                "client",
                "appointment_id",
                "rule",
                "status",
                "reason",
                "send_at",
                "sent_at",
                "provider_id",
                "segments",
                "encoding",
                "template_version",
                "body",
            ],
            texts.iter().map(|m| {
                vec![
                    m.id.to_string(),
                    m.to.clone(),
                    m.client_name.clone(),
                    m.appointment_id.map(|i| i.to_string()).unwrap_or_default(),
                    m.rule_name.clone().unwrap_or_default(),
                    m.status.as_str().to_owned(),
                    m.reason.clone().unwrap_or_default(),
                    m.send_at.map(stamp).unwrap_or_default(),
                    m.sent_at.map(stamp).unwrap_or_default(),
                    m.provider_id.clone().unwrap_or_default(),
                    m.segments.to_string(),
                    m.encoding.clone(),
                    m.template_version
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                    m.body.clone(),
                ]
            }),
        )?;
        let consent_csv = csv_bytes(
            &[
                "event_id",
                "client_id",
                "client",
                "phone",
                "purpose",
                "action",
                "channel",
                "occurred_at",
                "recorded_at",
                "recorded_by",
                "disclosure_version",
                "disclosure_text",
                "evidence",
                "message_id",
            ],
            ledger.iter().map(|(c, e)| {
                vec![
                    e.id.to_string(),
                    c.id.to_string(),
                    c.name.clone(),
                    c.phone.clone(),
                    e.purpose.as_str().into(),
                    e.action.as_str().into(),
                    e.channel.as_str().into(),
                    stamp(e.occurred_at),
                    stamp(e.recorded_at),
                    e.recorded_by.clone(),
                    e.disclosure_version.to_string(),
                    e.disclosure_text.clone(),
                    e.evidence.clone().unwrap_or_default(),
                    e.message_id.map(|m| m.to_string()).unwrap_or_default(),
                ]
            }),
        )?;
        let consent_json = serde_json::to_vec_pretty(
            &ledger
                .iter()
                .map(|(c, e)| serde_json::json!({ "client": { "id": c.id, "name": c.name, "phone": c.phone }, "event": e }))
                .collect::<Vec<_>>(),
        )
        .map_err(failure)?;
        let readme = format!(
            "Tidings export of {} made {}.\n\nclients.csv        every client with current consent\nappointments.csv   every appointment (times in UTC; the zone it was booked in beside it)\nappointments.ics   the same appointments for any calendar\ntexts.csv          every text planned, sent or not sent, with the reason\nconsent.csv/.json  the whole consent ledger with the exact words each customer was shown\n",
            self.settings()?.business_name,
            stamp(self.now())
        );

        let write_error = |e: std::io::Error| {
            EngineError::Store(if e.kind() == std::io::ErrorKind::AlreadyExists {
                tidings_store::StoreError::FileExists {
                    path: target.to_owned(),
                }
            } else {
                tidings_store::StoreError::CannotWrite {
                    path: target.to_owned(),
                    source: e,
                }
            })
        };
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_error)?;
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)
            .map_err(write_error)?;
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let ics = calendar.to_string();
        let files: [(&str, &[u8]); 7] = [
            ("README.txt", readme.as_bytes()),
            ("clients.csv", &clients_csv),
            ("appointments.csv", &appointments_csv),
            ("appointments.ics", ics.as_bytes()),
            ("texts.csv", &texts_csv),
            ("consent.csv", &consent_csv),
            ("consent.json", &consent_json),
        ];
        for (name, bytes) in files {
            zip.start_file(name, options).map_err(failure)?;
            zip.write_all(bytes).map_err(write_error)?;
        }
        zip.finish().map_err(failure)?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(ExportSummary {
            path: target.display().to_string(),
            clients: count(clients.len()),
            appointments: count(appointments.len()),
            texts: count(texts.len()),
            consent_events: count(ledger.len()),
        })
    }

    /// The whole export into the Downloads folder, named for the business and the day.
    pub fn export_to_folder(&self, folder: &Path) -> Result<ExportSummary, EngineError> {
        let stem = format!("tidings-export-{}", self.now().format("%Y-%m-%d"));
        let target = crate::paths::unused_name(folder, &stem, "zip");
        self.export_all(&target)
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_defused_and_numbers_left_alone() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"Ann\")",
                "'=HYPERLINK(\"http://x\",\"Ann\")",
            ),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("+447400123001", "+447400123001"),
            ("-5", "-5"),
            ("Ann Lee", "Ann Lee"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), want, "{cell}");
        }
    }
}
