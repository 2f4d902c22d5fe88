//! Importing clients from a file: the import's options and preview, and the import itself.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::import::{
    guess_mapping, plan_import, read_csv, ColumnMapping, ImportReport, RowOutcome, RowPlan,
};
use tidings_domain::{Change, Purpose, WriteSource};
use tidings_store::ImportConsentSpec;
use ts_rs::TS;

use crate::error::bad_input;
use crate::{Engine, EngineError};

/// The most rows an import preview lists one by one (every skipped row is always listed).
pub const PREVIEW_ROWS: usize = 300;

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

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

impl Engine {
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
        let (table, mapping, plan, _) = self.plan(bytes, options)?;
        if mapping.phone.is_none() {
            return Err(bad_input(
                "mapping",
                format!(
                    "No column of this file is read as the phone number, so no client can be \
                     imported. Its columns are: {}. Choose the phone column (on the command \
                     line: --map phone=COLUMN).",
                    tidings_domain::import::describe_columns(&table.headers)
                ),
            ));
        }
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
}
