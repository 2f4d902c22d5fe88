//! `tidings-cli import`: clients and appointments from CSV exports and ICS calendars.

use std::path::Path;

use clap::{Subcommand, ValueEnum};
use tidings_engine::domain::appointment_import::{self, TitleRule};
use tidings_engine::domain::WriteSource;
use tidings_engine::{
    AppointmentImportOptions, AppointmentMapping, Engine, ErrorCode, ErrorPayload, ImportConsent,
    ImportOptions,
};

use crate::consent::parse_purpose;
use crate::fail;
use crate::output::{desk_time, print_json};
use crate::words::word;

#[derive(Debug, Subcommand)]
pub(crate) enum ImportWhat {
    /// Import appointments from a CSV export or an ICS calendar: one transaction; a re-import
    /// updates by external id and reports bookings gone from the file.
    Appointments {
        file: std::path::PathBuf,
        #[arg(long)]
        dry_run: bool,
        /// Read a field from a column of a CSV: FIELD=HEADER (or FIELD=column number), e.g.
        /// --map phone=Móvil --map client_name=Nombre. Fields: date, start_time, end_time,
        /// duration_minutes, client_name, last_name, phone, service, staff, status,
        /// external_id, notes. Unmapped fields are guessed from the headers.
        #[arg(long = "map", value_name = "FIELD=HEADER")]
        map: Vec<String>,
        /// How an ICS event's title names the appointment: service-name ("Haircut - Maria
        /// Lopez", the default), name-service, or name (the whole title).
        #[arg(long, value_name = "RULE")]
        title: Option<String>,
    },
    /// Import clients from a CSV file: every valid row in one transaction, or nothing.
    Clients {
        file: std::path::PathBuf,
        /// Only report what would happen.
        #[arg(long)]
        dry_run: bool,
        /// The clients in this file gave consent for this purpose (service or marketing)...
        #[arg(long, value_name = "PURPOSE", requires_all = ["consent_source", "consent_date"])]
        consent: Option<String>,
        /// ...as evidenced by this source, e.g. "Paper intake forms"...
        #[arg(long, value_name = "TEXT")]
        consent_source: Option<String>,
        /// ...obtained on this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        consent_date: Option<String>,
        /// Read a field from a column: FIELD=HEADER (or FIELD=column number), e.g.
        /// --map phone=Celular. Fields: name, first_name, last_name, phone, notes, timezone.
        /// Unmapped fields are guessed from the headers.
        #[arg(long = "map", value_name = "FIELD=HEADER")]
        map: Vec<String>,
    },
}

/// `--title`: how an ICS event's title names the appointment.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum TitleWord {
    ServiceName,
    NameService,
    Name,
}

impl From<TitleWord> for TitleRule {
    fn from(word: TitleWord) -> Self {
        match word {
            TitleWord::ServiceName => TitleRule::ServiceThenName,
            TitleWord::NameService => TitleRule::NameThenService,
            TitleWord::Name => TitleRule::NameOnly,
        }
    }
}

/// The FIELD of a client import's `--map FIELD=HEADER`.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum ClientField {
    Name,
    FirstName,
    LastName,
    Phone,
    Notes,
    Timezone,
}

/// The FIELD of an appointment import's `--map FIELD=HEADER`.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum AppointmentField {
    Date,
    StartTime,
    EndTime,
    DurationMinutes,
    ClientName,
    LastName,
    Phone,
    Service,
    Staff,
    Status,
    ExternalId,
    Notes,
}

pub(crate) fn run(engine: &Engine, what: ImportWhat, json: bool) -> Result<(), ErrorPayload> {
    match what {
        ImportWhat::Clients {
            file,
            dry_run,
            consent,
            consent_source,
            consent_date,
            map,
        } => {
            let bytes = read_file(&file)?;
            let consent = match consent {
                Some(purpose) => Some(ImportConsent {
                    purpose: parse_purpose(&purpose)?,
                    source: consent_source.unwrap_or_default(),
                    obtained_on: consent_date.unwrap_or_default(),
                }),
                None => None,
            };
            clients(engine, &bytes, dry_run, consent, &map, json)
        }
        ImportWhat::Appointments {
            file,
            dry_run,
            map,
            title,
        } => {
            let bytes = read_file(&file)?;
            appointments(engine, &bytes, dry_run, &map, title.as_deref(), json)
        }
    }
}

fn read_file(file: &Path) -> Result<Vec<u8>, ErrorPayload> {
    std::fs::read(file).map_err(|e| {
        fail(
            ErrorCode::ImportFile,
            format!("Can't read {}: {e}", file.display()),
        )
    })
}

fn clients(
    engine: &Engine,
    bytes: &[u8],
    dry_run: bool,
    consent: Option<ImportConsent>,
    map: &[String],
    json: bool,
) -> Result<(), ErrorPayload> {
    let mapping = if map.is_empty() {
        None
    } else {
        let headers = csv_headers(bytes)?;
        let mut mapping = tidings_engine::domain::import::guess_mapping(&headers);
        for entry in map {
            let (field, column) = map_entry(entry, &headers)?;
            let slot = match word::<ClientField>(field) {
                Some(ClientField::Name) => &mut mapping.name,
                Some(ClientField::FirstName) => &mut mapping.first_name,
                Some(ClientField::LastName) => &mut mapping.last_name,
                Some(ClientField::Phone) => &mut mapping.phone,
                Some(ClientField::Notes) => &mut mapping.notes,
                Some(ClientField::Timezone) => &mut mapping.timezone,
                None => {
                    return Err(fail(
                        ErrorCode::InvalidInput,
                        format!(
                            "--map: there is no client field \"{field}\". Use one of: \
                             name, first_name, last_name, phone, notes, timezone."
                        ),
                    ))
                }
            };
            *slot = Some(column);
        }
        Some(mapping)
    };
    let options = ImportOptions { mapping, consent };
    let report = engine.import_clients(
        bytes,
        &options,
        dry_run,
        WriteSource::Cli,
        "cli",
        &mut |_, _| {},
    )?;
    if json {
        return print_json(&report);
    }
    out!(
        "{}{} imported, {} updated, {} unchanged, {} skipped",
        if report.dry_run { "dry run: " } else { "" },
        report.imported,
        report.updated,
        report.unchanged,
        report.skipped.len()
    );
    for s in &report.skipped {
        out!("  row {}: {}", s.row, s.reason);
    }
    if report.consent_recorded > 0 || !report.consent_not_recorded.is_empty() {
        out!("consent recorded for {} clients", report.consent_recorded);
        for s in &report.consent_not_recorded {
            out!("  row {}: consent not recorded: {}", s.row, s.reason);
        }
    }
    Ok(())
}

fn appointments(
    engine: &Engine,
    bytes: &[u8],
    dry_run: bool,
    map: &[String],
    title: Option<&str>,
    json: bool,
) -> Result<(), ErrorPayload> {
    let title_rule = match title {
        None => None,
        Some(text) => Some(
            word::<TitleWord>(text)
                .map(TitleRule::from)
                .ok_or_else(|| {
                    fail(
                        ErrorCode::InvalidInput,
                        format!(
                    "--title: \"{text}\" is not a rule. Use service-name, name-service or name."
                ),
                    )
                })?,
        ),
    };
    let mapping = if map.is_empty() {
        None
    } else if appointment_import::is_ics(bytes) {
        return Err(fail(
            ErrorCode::InvalidInput,
            "--map is for CSV files; a calendar file's events say what each part is \
             (use --title for their titles).",
        ));
    } else {
        let headers = csv_headers(bytes)?;
        let mut mapping: AppointmentMapping = appointment_import::guess_columns(&headers).into();
        for entry in map {
            let (field, column) = map_entry(entry, &headers)?;
            let slot = match word::<AppointmentField>(field) {
                Some(AppointmentField::Date) => &mut mapping.date,
                Some(AppointmentField::StartTime) => &mut mapping.start_time,
                Some(AppointmentField::EndTime) => &mut mapping.end_time,
                Some(AppointmentField::DurationMinutes) => &mut mapping.duration_minutes,
                Some(AppointmentField::ClientName) => &mut mapping.client_name,
                Some(AppointmentField::LastName) => &mut mapping.last_name,
                Some(AppointmentField::Phone) => &mut mapping.phone,
                Some(AppointmentField::Service) => &mut mapping.service,
                Some(AppointmentField::Staff) => &mut mapping.staff,
                Some(AppointmentField::Status) => &mut mapping.status,
                Some(AppointmentField::ExternalId) => &mut mapping.external_id,
                Some(AppointmentField::Notes) => &mut mapping.notes,
                None => {
                    return Err(fail(
                        ErrorCode::InvalidInput,
                        format!(
                            "--map: there is no appointment field \"{field}\". Use one \
                             of: date, start_time, end_time, duration_minutes, \
                             client_name, last_name, phone, service, staff, status, \
                             external_id, notes."
                        ),
                    ))
                }
            };
            *slot = Some(column);
        }
        Some(mapping)
    };
    let options = AppointmentImportOptions {
        mapping,
        title_rule,
    };
    let report = engine.import_appointments(bytes, &options, dry_run, WriteSource::Cli, "cli")?;
    if json {
        return print_json(&report);
    }
    out!(
        "{}{} new, {} updated, {} unchanged, {} cancelled, {} skipped, {} without a phone number",
        if report.dry_run { "dry run: " } else { "" },
        report.created,
        report.updated,
        report.unchanged,
        report.cancelled,
        report.skipped.len(),
        report.no_client.len()
    );
    for s in report.skipped.iter().chain(&report.no_client) {
        out!("  row {}: {}", s.row, s.reason);
    }
    let zone = engine.settings()?.zone();
    for m in &report.missing {
        out!(
            "  no longer in the file (not deleted): {} at {}",
            m.client_name,
            desk_time(&zone, m.starts_at)
        );
    }
    Ok(())
}

/// The header row of a CSV file, read the way the importer reads it.
fn csv_headers(bytes: &[u8]) -> Result<Vec<String>, ErrorPayload> {
    tidings_engine::domain::import::read_csv(bytes)
        .map(|table| table.headers)
        .map_err(|e| fail(ErrorCode::ImportFile, e.to_string()))
}

/// One `--map FIELD=HEADER`: the field, and the 0-based column whose header is HEADER
/// (compared without case or surrounding spaces), or whose 1-based number it is.
fn map_entry<'a>(entry: &'a str, headers: &[String]) -> Result<(&'a str, u32), ErrorPayload> {
    let Some((field, header)) = entry.split_once('=') else {
        return Err(fail(
            ErrorCode::InvalidInput,
            format!("--map {entry}: write it as FIELD=HEADER, e.g. --map phone=Mobile."),
        ));
    };
    let wanted = header.trim();
    let by_name = headers
        .iter()
        .position(|h| h.trim().to_lowercase() == wanted.to_lowercase());
    let by_number = wanted
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=headers.len()).contains(n))
        .map(|n| n - 1);
    match by_name.or(by_number).and_then(|i| u32::try_from(i).ok()) {
        Some(column) => Ok((field.trim(), column)),
        None => Err(fail(
            ErrorCode::InvalidInput,
            format!(
                "--map {entry}: the file has no column \"{wanted}\". Its columns are: {}.",
                tidings_engine::domain::import::describe_columns(headers)
            ),
        )),
    }
}
