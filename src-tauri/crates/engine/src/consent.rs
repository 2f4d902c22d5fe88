//! Consent and disclosures: recording consent and opt-outs, the disclosure wording, and one
//! client's consent evidence exported.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::{
    Change, Client, ConsentEvent, ConsentInput, Disclosure, Purpose, WriteSource,
};
use tidings_store::NewConsentEvent;
use ts_rs::TS;

use crate::error::bad_input;
use crate::{Engine, EngineError};

/// A disclosure version with the words a customer sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DisclosureView {
    pub purpose: Purpose,
    pub version: u32,
    pub template: String,
    /// As the customer reads it, with the business name filled in.
    pub text: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Disclosures {
    /// The version in force, per purpose.
    pub current: Vec<DisclosureView>,
    /// Every version, newest first.
    pub history: Vec<DisclosureView>,
}

/// The two forms consent evidence is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Where an export was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportedFile {
    pub path: String,
}

/// One client's consent evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConsentExport {
    pub business_name: String,
    pub exported_at: DateTime<Utc>,
    pub client: Client,
    pub ledger: Vec<ConsentEvent>,
}

fn view(d: &Disclosure, business: &str) -> DisclosureView {
    DisclosureView {
        purpose: d.purpose,
        version: d.version,
        template: d.template.clone(),
        text: d.render(business),
        created_at: d.created_at,
    }
}

impl Engine {
    /// The disclosure in force for a purpose.
    pub(crate) fn disclosure(&self, purpose: Purpose) -> Result<Disclosure, EngineError> {
        self.store
            .current_disclosures()?
            .into_iter()
            .find(|d| d.purpose == purpose)
            .ok_or_else(|| {
                EngineError::Store(tidings_store::StoreError::Decode(format!(
                    "no {} disclosure",
                    purpose.as_str()
                )))
            })
    }

    /// Records consent or an opt-out that staff took: who, how, when, and the exact words the
    /// customer was shown (the disclosure in force, frozen into the ledger).
    pub fn record_consent(
        &self,
        input: &ConsentInput,
        source: WriteSource,
    ) -> Result<ConsentEvent, EngineError> {
        let recorded_by = input
            .recorded_by
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if recorded_by.is_empty() {
            return Err(bad_input(
                "recorded_by",
                "Enter the name of the person recording this.",
            ));
        }
        if recorded_by.chars().count() > 80 {
            return Err(bad_input(
                "recorded_by",
                "Keep the name to 80 characters or fewer.",
            ));
        }
        if !input.channel.is_manual() {
            return Err(bad_input(
                "channel",
                "Keyword, carrier and import consent is recorded by Tidings itself. Choose front desk, paper form or web form.",
            ));
        }
        let evidence = input
            .evidence
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        if evidence.is_some_and(|e| e.chars().count() > 500) {
            return Err(bad_input(
                "evidence",
                "Keep the evidence note to 500 characters or fewer.",
            ));
        }
        let now = self.now();
        let occurred_at = input.occurred_at.unwrap_or(now);
        if occurred_at > now + Duration::minutes(5) {
            return Err(bad_input(
                "occurred_at",
                "That date is in the future. Enter when the customer actually said so.",
            ));
        }
        let client = self
            .store
            .client(input.client_id)?
            .ok_or_else(|| EngineError::ClientNotFound(input.client_id.to_string()))?;
        let disclosure = self.disclosure(input.purpose)?;
        let business = self.settings()?.business_name;
        let event = self.store.append_consent(&NewConsentEvent {
            client_id: client.id,
            purpose: input.purpose,
            action: input.action,
            channel: input.channel,
            disclosure: &disclosure,
            business_name: &business,
            recorded_by: &recorded_by,
            occurred_at,
            recorded_at: now,
            evidence,
            message_id: None,
        })?;
        tracing::info!(
            client = client.id,
            purpose = input.purpose.as_str(),
            action = input.action.as_str(),
            source = source.as_str(),
            "consent recorded"
        );
        if input.action == tidings_domain::ConsentAction::Granted {
            // Reminders kept back for want of consent go again where there is still time.
            self.replan_client(client.id)?;
        } else if self.store.cancel_handed_off_for_client(
            client.id,
            tidings_domain::SuppressReason::OptedOut.as_str(),
            now,
        )? > 0
        {
            // Texts already handed to the provider are taken back there; their places are
            // planned again so the gate records why they do not go.
            self.replan_client(client.id)?;
        }
        self.publish(
            source,
            vec![
                Change::Messages,
                Change::Consent {
                    client_id: client.id,
                },
            ],
        );
        Ok(event)
    }

    pub fn disclosures(&self) -> Result<Disclosures, EngineError> {
        let business = self.settings()?.business_name;
        Ok(Disclosures {
            current: self
                .store
                .current_disclosures()?
                .iter()
                .map(|d| view(d, &business))
                .collect(),
            history: self
                .store
                .disclosure_history()?
                .iter()
                .map(|d| view(d, &business))
                .collect(),
        })
    }

    /// Saves new words for a purpose's disclosure as a new version. Consent already recorded
    /// keeps the words it was given under.
    pub fn update_disclosure(
        &self,
        purpose: Purpose,
        template: &str,
        source: WriteSource,
        actor: &str,
    ) -> Result<Disclosures, EngineError> {
        let template = template.trim();
        if template.chars().count() < 20 {
            return Err(bad_input("template", "Write out what the customer agrees to, how often you text, and how to stop (at least 20 characters)."));
        }
        if !template.to_ascii_uppercase().contains("STOP") {
            return Err(bad_input(
                "template",
                "Tell customers how to stop: include \"Reply STOP to opt out\".",
            ));
        }
        if self.disclosure(purpose)?.template == template {
            return self.disclosures();
        }
        self.store.add_disclosure_version(
            purpose,
            template,
            self.now(),
            self.audit(actor, source, "disclosure", "new_version"),
        )?;
        self.publish(source, vec![Change::Disclosures]);
        self.disclosures()
    }

    /// Everything that proves one client's consent.
    pub fn consent_export(&self, client_id: i64) -> Result<ConsentExport, EngineError> {
        let detail = self.client_detail(client_id)?;
        Ok(ConsentExport {
            business_name: self.settings()?.business_name,
            exported_at: self.now(),
            client: detail.client,
            ledger: detail.ledger,
        })
    }
}

impl Engine {
    /// Writes one client's consent evidence into `folder` and returns the file's path. The name
    /// says whose evidence it is and when it was exported; an existing file is never replaced.
    pub fn export_consent_file(
        &self,
        client_id: i64,
        format: ExportFormat,
        folder: &std::path::Path,
    ) -> Result<ExportedFile, EngineError> {
        let export = self.consent_export(client_id)?;
        let (body, extension) = match format {
            ExportFormat::Csv => (export.to_csv()?, "csv"),
            ExportFormat::Json => (
                serde_json::to_string_pretty(&export).map_err(|e| {
                    EngineError::Store(tidings_store::StoreError::Decode(e.to_string()))
                })?,
                "json",
            ),
        };
        let slug: String = export
            .client
            .name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let stem = format!(
            "consent-{}-{}",
            if slug.is_empty() {
                "client".to_owned()
            } else {
                slug
            },
            export.exported_at.format("%Y-%m-%d")
        );
        write_new_file(folder, &stem, extension, body.as_bytes())
    }
}

/// Writes `folder/stem.ext` (or `stem-2.ext`…) as a new file: a file that exists, even one
/// that appeared meanwhile, is never replaced.
pub(crate) fn write_new_file(
    folder: &std::path::Path,
    stem: &str,
    extension: &str,
    body: &[u8],
) -> Result<ExportedFile, EngineError> {
    let write_error = |e: std::io::Error| {
        EngineError::Store(tidings_store::StoreError::DataFolder {
            path: folder.to_owned(),
            source: e,
        })
    };
    std::fs::create_dir_all(folder).map_err(write_error)?;
    let path = crate::paths::unused_name(folder, stem, extension);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(write_error)?;
    std::io::Write::write_all(&mut file, body).map_err(write_error)?;
    Ok(ExportedFile {
        path: path.display().to_string(),
    })
}

impl ConsentExport {
    /// The ledger as CSV, one event a row, for spreadsheets and auditors.
    pub fn to_csv(&self) -> Result<String, EngineError> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let io =
            |e: csv::Error| EngineError::Store(tidings_store::StoreError::Decode(e.to_string()));
        out.write_record([
            "event_id",
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
        ])
        .map_err(io)?;
        for e in &self.ledger {
            out.write_record([
                e.id.to_string(),
                self.client.name.clone(),
                self.client.phone.clone(),
                e.purpose.as_str().to_owned(),
                e.action.as_str().to_owned(),
                e.channel.as_str().to_owned(),
                e.occurred_at.to_rfc3339(),
                e.recorded_at.to_rfc3339(),
                e.recorded_by.clone(),
                e.disclosure_version.to_string(),
                e.disclosure_text.clone(),
                e.evidence.clone().unwrap_or_default(),
                e.message_id.map(|m| m.to_string()).unwrap_or_default(),
            ])
            .map_err(io)?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| EngineError::Store(tidings_store::StoreError::Decode(e.to_string())))?;
        String::from_utf8(bytes)
            .map_err(|e| EngineError::Store(tidings_store::StoreError::Decode(e.to_string())))
    }
}
