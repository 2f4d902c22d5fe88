//! Clients, consent and imports, as the window and the command line use them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::import::{
    guess_mapping, plan_import, read_csv, ColumnMapping, ImportReport, RowOutcome, RowPlan,
};
use tidings_domain::phone::phone_search_digits;
use tidings_domain::{
    parse_phone, Change, Client, ClientInput, ConsentEvent, ConsentInput, Disclosure, Purpose,
    WriteSource,
};
use tidings_store::{ClientSearch, ImportConsentSpec, NewConsentEvent};
use ts_rs::TS;

use crate::error::bad_input;
use crate::{Engine, EngineError};

/// The most clients one list shows; a search narrows it.
pub const CLIENT_LIST_LIMIT: u32 = 500;
/// The most rows an import preview lists one by one (every skipped row is always listed).
pub const PREVIEW_ROWS: usize = 300;

/// A client with the whole consent ledger, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClientDetail {
    pub client: Client,
    pub ledger: Vec<ConsentEvent>,
}

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

/// Consent stated for every client in an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportConsent {
    pub purpose: Purpose,
    /// Where the consent came from, e.g. "Paper intake forms kept at the desk".
    pub source: String,
    /// When it was obtained, YYYY-MM-DD.
    pub obtained_on: String,
}

/// How to read a file: the mapping (guessed when absent) and any consent stated for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct ImportOptions {
    #[ts(optional)]
    pub mapping: Option<ColumnMapping>,
    #[ts(optional)]
    pub consent: Option<ImportConsent>,
}

/// What an import would do, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportPreview {
    pub headers: Vec<String>,
    pub delimiter: String,
    pub encoding: String,
    pub mapping: ColumnMapping,
    pub total_rows: u32,
    /// The first rows and every skipped row, in file order.
    pub rows: Vec<RowPlan>,
    pub report: ImportReport,
}

/// A file handed to the app for import, kept until it is imported or replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StagedFile {
    pub token: u32,
    pub bytes: u32,
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

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
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
    fn region(&self) -> Result<String, EngineError> {
        let settings = self.settings()?;
        if settings.phone_region.is_empty() {
            return Err(EngineError::SetupRequired);
        }
        Ok(settings.phone_region)
    }

    /// Clients whose name or number matches `query` (any form of the number: national,
    /// international, with or without punctuation). An empty query lists everyone.
    pub fn list_clients(
        &self,
        query: &str,
        include_archived: bool,
    ) -> Result<Vec<Client>, EngineError> {
        let query = query.trim();
        let region = self.settings()?.phone_region;
        let mut search = ClientSearch {
            include_archived,
            limit: CLIENT_LIST_LIMIT,
            ..ClientSearch::default()
        };
        if !query.is_empty() {
            search.text = Some(query.to_owned());
            // A whole number matches exactly; part of one matches as digits.
            search.digits = parse_phone(query, &region)
                .ok()
                .map(|e164| e164.trim_start_matches('+').to_owned())
                .or_else(|| phone_search_digits(query));
        }
        Ok(self.store.search_clients(&search)?)
    }

    pub fn client_detail(&self, id: i64) -> Result<ClientDetail, EngineError> {
        let client = self
            .store
            .client(id)?
            .ok_or_else(|| EngineError::ClientNotFound(id.to_string()))?;
        let ledger = self.store.consent_events(id)?;
        Ok(ClientDetail { client, ledger })
    }

    /// The client with this number, typed in any form.
    pub fn client_by_phone(&self, typed: &str) -> Result<ClientDetail, EngineError> {
        let phone =
            parse_phone(typed, &self.region()?).map_err(tidings_domain::ClientError::from)?;
        let client = self
            .store
            .client_by_phone(&phone)?
            .ok_or(EngineError::ClientNotFound(phone))?;
        self.client_detail(client.id)
    }

    fn refuse_taken_number(&self, phone: &str, except: Option<i64>) -> Result<(), EngineError> {
        match self.store.client_by_phone(phone)? {
            Some(other) if Some(other.id) != except => Err(EngineError::DuplicatePhone {
                phone: phone.to_owned(),
                name: other.name,
                client_id: other.id,
            }),
            _ => Ok(()),
        }
    }

    pub fn create_client(
        &self,
        input: &ClientInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<Client, EngineError> {
        let valid = input.validate(&self.region()?)?;
        self.refuse_taken_number(&valid.phone, None)?;
        let client = self.store.insert_client(
            &valid,
            self.now(),
            self.audit(actor, source, "client", "create"),
        )?;
        let client = if self.carry_number_opt_out(client.id)? {
            self.store.client(client.id)?.unwrap_or(client)
        } else {
            client
        };
        self.publish(source, vec![Change::Client { id: client.id }]);
        Ok(client)
    }

    pub fn update_client(
        &self,
        id: i64,
        input: &ClientInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<Client, EngineError> {
        let valid = input.validate(&self.region()?)?;
        self.refuse_taken_number(&valid.phone, Some(id))?;
        let old_phone = self.store.client(id)?.map(|c| c.phone);
        let client = self
            .store
            .update_client(
                id,
                &valid,
                self.now(),
                self.audit(actor, source, "client", "update"),
            )?
            .ok_or_else(|| EngineError::ClientNotFound(id.to_string()))?;
        let changed = old_phone.is_some_and(|old| old != client.phone);
        if changed {
            // Nothing more goes to the old number, at the provider either; the plan is made
            // again for the new one.
            self.store.cancel_live_for_client(
                id,
                tidings_domain::SuppressReason::NumberChanged.as_str(),
                self.now(),
            )?;
        }
        let client = if changed && self.carry_number_opt_out(id)? {
            self.store.client(id)?.unwrap_or(client)
        } else {
            client
        };
        self.replan_client(id)?;
        self.publish(source, vec![Change::Client { id }]);
        Ok(client)
    }

    pub fn set_client_archived(
        &self,
        id: i64,
        archived: bool,
        source: WriteSource,
        actor: &str,
    ) -> Result<Client, EngineError> {
        let action = if archived { "archive" } else { "unarchive" };
        let client = self
            .store
            .set_client_archived(
                id,
                archived,
                self.now(),
                self.audit(actor, source, "client", action),
            )?
            .ok_or_else(|| EngineError::ClientNotFound(id.to_string()))?;
        if archived {
            // What waited for them is taken back (at the provider too, if handed off).
            self.store.cancel_live_for_client(
                id,
                tidings_domain::SuppressReason::ClientArchived.as_str(),
                self.now(),
            )?;
        } else {
            self.replan_client(id)?;
        }
        self.publish(source, vec![Change::Client { id }, Change::Messages]);
        Ok(client)
    }

    /// The disclosure in force for a purpose.
    fn disclosure(&self, purpose: Purpose) -> Result<Disclosure, EngineError> {
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

    fn plan(
        &self,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<
        (
            tidings_domain::import::CsvTable,
            ColumnMapping,
            Vec<RowPlan>,
            String,
        ),
        EngineError,
    > {
        let region = self.region()?;
        let table = read_csv(bytes)?;
        let mapping = options
            .mapping
            .unwrap_or_else(|| guess_mapping(&table.headers));
        let existing = self.store.existing_clients()?;
        let plan = plan_import(&table, &mapping, &region, &existing);
        Ok((table, mapping, plan, region))
    }

    /// Reads a client file and says what importing it would do. Writes nothing.
    pub fn preview_import(
        &self,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportPreview, EngineError> {
        let (table, mapping, plan, _) = self.plan(bytes, options)?;
        if let Some(consent) = &options.consent {
            self.import_consent_time(consent)?;
        }
        let report = ImportReport::from_plan(&plan, true);
        let total_rows = u32::try_from(plan.len()).unwrap_or(u32::MAX);
        let rows = plan
            .into_iter()
            .enumerate()
            .filter(|(i, row)| {
                *i < PREVIEW_ROWS || matches!(row.outcome, RowOutcome::Skipped { .. })
            })
            .map(|(_, row)| row)
            .collect();
        Ok(ImportPreview {
            headers: table.headers,
            delimiter: table.delimiter,
            encoding: table.encoding,
            mapping,
            total_rows,
            rows,
            report,
        })
    }

    /// When stated consent was obtained: the start of that day in the business's time zone.
    fn import_consent_time(
        &self,
        consent: &ImportConsent,
    ) -> Result<(DateTime<Utc>, NaiveDate), EngineError> {
        if consent.source.trim().chars().count() < 3 {
            return Err(bad_input(
                "consent_source",
                "Say where this consent came from, e.g. \"Paper intake forms kept at the desk\".",
            ));
        }
        let date =
            NaiveDate::parse_from_str(consent.obtained_on.trim(), "%Y-%m-%d").map_err(|_| {
                bad_input(
                    "consent_date",
                    format!(
                        "\"{}\" is not a date; use YYYY-MM-DD.",
                        consent.obtained_on.trim()
                    ),
                )
            })?;
        let tz: chrono_tz::Tz = self.settings()?.zone();
        let start = tidings_domain::days::day_start(tz, date).ok_or_else(|| {
            bad_input(
                "consent_date",
                "That date does not exist in the business's time zone.",
            )
        })?;
        if start > self.now() {
            return Err(bad_input(
                "consent_date",
                "The consent date is in the future.",
            ));
        }
        Ok((start, date))
    }

    /// Imports a client file in one transaction: every valid row, or nothing if anything fails.
    /// With `dry_run` it only reports what it would do. `progress(done, total)` is called as
    /// rows are written.
    pub fn import_clients(
        &self,
        bytes: &[u8],
        options: &ImportOptions,
        dry_run: bool,
        source: WriteSource,
        actor: &str,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport, EngineError> {
        let (_, _, plan, _) = self.plan(bytes, options)?;
        let consent_time = options
            .consent
            .as_ref()
            .map(|c| self.import_consent_time(c))
            .transpose()?;
        if dry_run {
            return Ok(ImportReport::from_plan(&plan, true));
        }
        let business = self.settings()?.business_name;
        let disclosure = match &options.consent {
            Some(c) => Some(self.disclosure(c.purpose)?),
            None => None,
        };
        let spec = match (&options.consent, consent_time, &disclosure) {
            (Some(c), Some((occurred_at, obtained_on)), Some(d)) => Some(ImportConsentSpec {
                purpose: c.purpose,
                disclosure: d,
                business_name: &business,
                occurred_at,
                obtained_on,
                source: c.source.trim(),
                recorded_by: actor,
            }),
            _ => None,
        };
        let report = self.store.apply_import(
            &plan,
            spec.as_ref(),
            self.now(),
            self.audit(actor, source, "import", "clients"),
            progress,
        )?;
        if report.imported + report.updated + report.consent_recorded > 0 {
            let carried = self.carry_number_opt_outs()?;
            if report.consent_recorded > 0 || carried > 0 {
                self.replan_all()?;
            }
            self.publish(source, vec![Change::Clients]);
        }
        Ok(report)
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
