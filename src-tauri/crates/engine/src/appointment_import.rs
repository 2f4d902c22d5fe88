//! Importing bookings from other systems: the import's types and column mapping, preview and
//! import.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use tidings_domain::appointment_import::{Columns, TitleRule};
use tidings_domain::import::SkippedRow;
use tidings_domain::{Change, WriteSource};

use crate::error::bad_input;
use crate::{Engine, EngineError};

/// Which column (0-based) holds each field of an appointment export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct AppointmentMapping {
    pub date: Option<u32>,
    /// A time column, or a date-and-time column when `date` is absent.
    pub start_time: Option<u32>,
    pub end_time: Option<u32>,
    pub duration_minutes: Option<u32>,
    pub client_name: Option<u32>,
    /// A last-name column joined to the client name (exports that split the name).
    #[serde(default)]
    pub last_name: Option<u32>,
    pub phone: Option<u32>,
    pub service: Option<u32>,
    pub staff: Option<u32>,
    pub status: Option<u32>,
    pub external_id: Option<u32>,
    pub notes: Option<u32>,
}

/// How to read an appointment file. CSV or ICS is told from the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct AppointmentImportOptions {
    #[ts(optional)]
    pub mapping: Option<AppointmentMapping>,
    /// How an ICS event's title names the appointment ("Service - Name" unless chosen).
    #[serde(default)]
    #[ts(optional)]
    pub title_rule: Option<TitleRule>,
}

/// What one row (CSV) or event (ICS) of a file does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(tag = "kind", rename_all = "snake_case")]
pub enum AppointmentOutcome {
    New,
    Update {
        appointment_id: i64,
    },
    Unchanged {
        appointment_id: i64,
    },
    /// The file marks it cancelled; the booked appointment will be cancelled.
    Cancel {
        appointment_id: i64,
    },
    Skipped {
        reason: String,
    },
    /// No phone number to find or create the client by: the desk matches it by hand.
    NoClient,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppointmentRowPlan {
    /// CSV: the spreadsheet row. ICS: the event's position in the file (1 = first).
    pub row: u32,
    /// Client name (CSV) or the event's summary (ICS).
    pub label: String,
    /// The client's name as read (an ICS event's may come from a guest, its description or
    /// its title).
    pub client_name: Option<String>,
    pub service: Option<String>,
    /// Where an ICS event's client, phone and service were read ("name: title · phone:
    /// attendee"); empty for CSV, whose columns say it.
    pub read_from: String,
    pub phone: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
    pub outcome: AppointmentOutcome,
}

/// An appointment this desk imported before that the new file no longer has. Reported, not
/// deleted: the desk decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MissingAppointment {
    pub appointment_id: i64,
    pub external_id: String,
    pub starts_at: DateTime<Utc>,
    pub client_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct AppointmentImportReport {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub cancelled: u32,
    pub clients_created: u32,
    pub skipped: Vec<SkippedRow>,
    /// Events with no phone number, listed for the desk to match.
    pub no_client: Vec<SkippedRow>,
    pub missing: Vec<MissingAppointment>,
    /// Appointments that overlap another of the same staff member (allowed, flagged).
    pub overlapping: Vec<SkippedRow>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppointmentImportPreview {
    /// "csv" or "ics".
    pub kind: String,
    pub headers: Vec<String>,
    pub mapping: Option<AppointmentMapping>,
    pub total_rows: u32,
    pub rows: Vec<AppointmentRowPlan>,
    pub report: AppointmentImportReport,
}

/// The most rows an appointment import preview lists one by one (every problem row is listed).
pub const APPOINTMENT_PREVIEW_ROWS: usize = 300;

impl From<Columns> for AppointmentMapping {
    fn from(c: Columns) -> Self {
        Self {
            date: c.date,
            start_time: c.start_time,
            end_time: c.end_time,
            duration_minutes: c.duration_minutes,
            client_name: c.client_name,
            last_name: c.last_name,
            phone: c.phone,
            service: c.service,
            staff: c.staff,
            status: c.status,
            external_id: c.external_id,
            notes: c.notes,
        }
    }
}

impl From<AppointmentMapping> for Columns {
    fn from(m: AppointmentMapping) -> Self {
        Self {
            date: m.date,
            start_time: m.start_time,
            end_time: m.end_time,
            duration_minutes: m.duration_minutes,
            client_name: m.client_name,
            last_name: m.last_name,
            phone: m.phone,
            service: m.service,
            staff: m.staff,
            status: m.status,
            external_id: m.external_id,
            notes: m.notes,
        }
    }
}

impl Engine {
    /// Re-plans the appointments an import cancelled (re-planning them all covers only live
    /// ones), so their waiting texts are cancelled now rather than refused when due.
    pub(crate) fn replan_ended(
        &self,
        rows: &[AppointmentRowPlan],
        removed: &[i64],
    ) -> Result<(), EngineError> {
        let cancelled = rows.iter().filter_map(|r| match r.outcome {
            AppointmentOutcome::Cancel { appointment_id } => Some(appointment_id),
            _ => None,
        });
        for id in cancelled.chain(removed.iter().copied()) {
            self.replan(id)?;
        }
        Ok(())
    }

    /// Reads an appointment file (CSV or ICS) and says what importing it would do.
    pub fn preview_appointment_import(
        &self,
        bytes: &[u8],
        options: &AppointmentImportOptions,
    ) -> Result<AppointmentImportPreview, EngineError> {
        let plan = self.plan_appointments(bytes, options, None)?;
        let mut report = plan.report;
        report.dry_run = true;
        let total_rows = u32::try_from(plan.rows.len()).unwrap_or(u32::MAX);
        let rows = plan
            .rows
            .into_iter()
            .enumerate()
            .filter(|(i, r)| {
                *i < APPOINTMENT_PREVIEW_ROWS
                    || matches!(
                        r.outcome,
                        AppointmentOutcome::Skipped { .. } | AppointmentOutcome::NoClient
                    )
            })
            .map(|(_, r)| r)
            .collect();
        Ok(AppointmentImportPreview {
            kind: plan.kind.to_owned(),
            headers: plan.headers,
            mapping: plan.mapping,
            total_rows,
            rows,
            report,
        })
    }

    /// Imports an appointment file in one transaction. Re-importing updates by external id
    /// (ICS UID, the booking system's id, or number and start), never duplicates.
    pub fn import_appointments(
        &self,
        bytes: &[u8],
        options: &AppointmentImportOptions,
        dry_run: bool,
        source: WriteSource,
        actor: &str,
    ) -> Result<AppointmentImportReport, EngineError> {
        let plan = self.plan_appointments(bytes, options, None)?;
        if let Some(m) = &plan.mapping {
            if m.date.is_none() && m.start_time.is_none() {
                return Err(bad_input(
                    "mapping",
                    format!(
                        "No column of this file is read as the appointment's date and time, so \
                         nothing can be imported. Its columns are: {}. Choose the start column \
                         (on the command line: --map start_time=COLUMN).",
                        tidings_domain::import::describe_columns(&plan.headers)
                    ),
                ));
            }
        }
        let mut report = plan.report;
        if dry_run {
            report.dry_run = true;
            return Ok(report);
        }
        if plan.writes.is_empty() {
            return Ok(report);
        }
        report.clients_created = self.store.apply_appointment_import(
            &plan.writes,
            None,
            self.now(),
            self.audit(actor, source, "appointment", "import"),
            serde_json::to_value(&report).unwrap_or_default(),
        )?;
        self.carry_number_opt_outs()?;
        self.replan_all()?;
        self.replan_ended(&plan.rows, &[])?;
        self.publish(source, vec![Change::Appointments, Change::Clients]);
        Ok(report)
    }
}
