//! `tidings-cli`: the engine without a window, for automation, administration and checks.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use serde::Serialize;
use tidings_engine::domain::appointment_import::TitleRule;
use tidings_engine::domain::{
    Client, ConsentChannel, ConsentInput, ConsentState, Purpose, Settings, SettingsUpdate,
    WriteSource,
};
use tidings_engine::{
    paths, Clock, Engine, EngineConfig, ErrorCode, ErrorPayload, FixedClock, SystemClock,
};
use tidings_engine::{ImportConsent, ImportOptions};

/// Prints a line to standard output, like `println!`, but a reader that went away
/// (`tidings-cli plan --json | head -5`) ends the command quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// [`out!`] without the line end.
macro_rules! out_raw {
    ($($arg:tt)*) => {
        write_out(format_args!($($arg)*))
    };
}

mod feed;

/// Writes to standard output. Output is printed only after the work it reports is done and
/// committed, so stopping here loses nothing: a closed pipe exits with success and no message,
/// as other command-line tools do; any other write failure (a full disk behind a redirect)
/// says what happened and exits with failure.
fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout.write_fmt(args) {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: the output could not be written: {err}");
        std::process::exit(1);
    }
}

#[derive(Debug, Parser)]
#[command(name = "tidings-cli", version = tidings_engine::about::VERSION_LINE, about = "Tidings from the command line")]
struct Cli {
    /// Database file (default: the app's own, in the per-user data folder).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Run as if it were this moment (RFC 3339), for tests and diagnostics.
    #[arg(long, global = true, value_name = "RFC3339", env = "TIDINGS_NOW")]
    now: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Database path, schema version, provider and keyring state.
    Doctor,
    /// Show or change business settings.
    Settings {
        #[command(subcommand)]
        action: SettingsAction,
    },
    /// Bring data in from other systems.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Appointments in a date range.
    Appointments {
        #[command(subcommand)]
        action: AppointmentsAction,
    },
    /// Write a verified backup of the database to FILE (which must not exist yet).
    Backup { file: PathBuf },
    /// Replace the data with a backup FILE (the current state is backed up first).
    Restore { file: PathBuf },
    /// Write everything (clients, appointments, texts, consent ledger) to a zip FILE.
    Export { file: PathBuf },
    /// Sends (or with --dry-run, previews) a notice to every appointment of a day: who gets it,
    /// who does not and why.
    Notice {
        /// The business's local day, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// Only this staff member's appointments (by name).
        #[arg(long)]
        staff: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        /// Send inside quiet hours too (recorded in the audit log).
        #[arg(long)]
        urgent: bool,
        #[arg(long)]
        dry_run: bool,
        text: String,
    },
    /// Sends a status update about one appointment: a ready update's key (update_running_late,
    /// update_ready, update_arrive_early, update_staff_changed) or the text itself.
    Update {
        appointment_id: i64,
        template_or_text: String,
        /// For update_running_late.
        #[arg(long)]
        minutes: Option<u32>,
    },
    /// Insights for a period (default: the last 30 days): sent, delivered, response,
    /// confirmation, no-shows, opt-outs, first response, deflection, trends, signals.
    Report {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// The reply inbox.
    Inbox {
        #[command(subcommand)]
        action: InboxAction,
    },
    /// The SMS provider: Sandbox or Twilio.
    Provider {
        #[command(subcommand)]
        action: ProviderAction,
    },
    /// The Sandbox phone: texts as a customer would, routed like a real reply.
    Sandbox {
        #[command(subcommand)]
        action: SandboxAction,
    },
    /// Encoding and segment count of a text.
    Segments { text: String },
    /// Reminder rules: the one-click presets.
    Reminders {
        #[command(subcommand)]
        action: RemindersAction,
    },
    /// Calendar feeds: a booking system's ICS address or export folder, read every 15 minutes.
    Feed {
        #[command(subcommand)]
        action: feed::FeedAction,
    },
    /// Live planned sends with send_at, status and reason.
    Plan,
    /// One pass of the scheduler at --now: sends what is due, suppresses what may not go.
    Tick,
    /// List clients or show one.
    Clients {
        #[command(subcommand)]
        action: ClientsAction,
    },
    /// Record consent or an opt-out, or export a client's consent evidence.
    Consent {
        #[command(subcommand)]
        action: ConsentAction,
    },
}

#[derive(Debug, Subcommand)]
enum InboxAction {
    /// Threads, newest first: needs_reply, reschedule, possible_opt_out, unknown, open (the
    /// default), all or resolved.
    List {
        #[arg(long, default_value = "open")]
        filter: String,
    },
    /// Texts containing these words, newest first.
    Search { words: String },
}

#[derive(Debug, Subcommand)]
enum ProviderAction {
    /// Choose the provider texts go through.
    Set {
        #[command(subcommand)]
        choice: ProviderChoice,
    },
    /// The provider in use, its settings (never the secret) and the keyring's state.
    Show,
    /// Sends a test text to a phone through the provider in use.
    TestText { to: String },
    /// Resume sending after fixing what paused it (rejected credentials, a locked keyring).
    Resume,
}

#[derive(Debug, Subcommand)]
enum ProviderChoice {
    /// The built-in simulated carrier: nothing leaves this computer.
    Sandbox {
        /// Also remove the Twilio settings and its secret from the keyring.
        #[arg(long)]
        forget: bool,
    },
    /// A Twilio account. The secret (API key secret, or Auth Token without --api-key) is read
    /// from standard input and stored only in the OS keyring.
    Twilio {
        #[arg(long)]
        account_sid: String,
        #[arg(long)]
        api_key: Option<String>,
        #[arg(long = "from")]
        from_number: Option<String>,
        #[arg(long)]
        messaging_service: Option<String>,
        #[arg(long)]
        base_url: Option<String>,
    },
    /// The desk's Android phone running the SMSGate app's local server. The password the app
    /// shows is read from standard input and stored only in the OS keyring.
    Smsgate {
        /// The address the app shows, such as http://192.168.1.20:8080.
        #[arg(long)]
        url: String,
        #[arg(long)]
        username: String,
        /// Seconds between two texts from the phone (default 4).
        #[arg(long)]
        seconds_between: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
enum ImportWhat {
    /// Import appointments from a CSV export or an ICS calendar: one transaction; a re-import
    /// updates by external id and reports bookings gone from the file.
    Appointments {
        file: PathBuf,
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
        file: PathBuf,
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

#[derive(Debug, Subcommand)]
enum SandboxAction {
    /// A text from a customer's phone to the business.
    Receive {
        #[arg(long)]
        from: String,
        text: String,
    },
}

#[derive(Debug, Subcommand)]
enum RemindersAction {
    /// Replace the reminder rules with a preset: standard, clinic or light.
    Preset { name: String },
}

#[derive(Debug, Subcommand)]
enum AppointmentsAction {
    /// Appointments starting between two dates (YYYY-MM-DD, business time zone; default:
    /// today and the next 7 days).
    List {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ClientsAction {
    /// Every client (or those matching --search), with current consent.
    List {
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        archived: bool,
    },
    /// One client, found by number in any form, with the consent ledger.
    Show { phone: String },
}

#[derive(Debug, Subcommand)]
enum ConsentAction {
    /// Record that the client gave consent.
    Grant(ConsentArgs),
    /// Record that the client withdrew consent.
    Revoke(ConsentArgs),
    /// The client's whole consent ledger (CSV, or JSON with --json).
    Export { phone: String },
}

#[derive(Debug, clap::Args)]
struct ConsentArgs {
    phone: String,
    /// service or marketing
    #[arg(long)]
    purpose: String,
    /// front_desk_verbal, paper_form or web_form
    #[arg(long)]
    channel: String,
    /// Who took it.
    #[arg(long)]
    by: String,
    /// Form number, reference or note.
    #[arg(long)]
    evidence: Option<String>,
}

#[derive(Debug, Subcommand)]
enum SettingsAction {
    /// Print every setting.
    Show,
    /// Change one setting: business_name, timezone, phone_region, quiet_hours (HH:MM-HH:MM),
    /// max_texts_per_day, max_texts_per_week.
    Set { key: String, value: String },
}

/// A failure: a stable code and a one-line reason.
#[derive(Debug, Serialize)]
struct Failure {
    error: ErrorPayload,
}

fn fail(code: ErrorCode, message: impl Into<String>) -> ErrorPayload {
    ErrorPayload::new(code, message)
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
                headers
                    .iter()
                    .enumerate()
                    .map(|(i, h)| format!("{} \"{}\"", i + 1, h.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(payload) => {
            if json {
                let failure = Failure {
                    error: payload.clone(),
                };
                if let Ok(text) = serde_json::to_string(&failure) {
                    out!("{text}");
                }
            }
            eprintln!("error: {}", payload.message);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), ErrorPayload> {
    let clock: Arc<dyn Clock> = match &cli.now {
        Some(text) => {
            let at = DateTime::parse_from_rfc3339(text).map_err(|_| {
                fail(
                    ErrorCode::InvalidInput,
                    format!(
                        "--now (or TIDINGS_NOW) \"{text}\" is not an RFC 3339 time; use e.g. 2026-11-26T09:00:00Z"
                    ),
                )
            })?;
            Arc::new(FixedClock::new(at.with_timezone(&Utc)))
        }
        None => Arc::new(SystemClock),
    };
    let db_path = cli
        .db
        .clone()
        .or_else(paths::default_db_path)
        .ok_or_else(|| {
            fail(
                ErrorCode::DataFolder,
                "There is no per-user data folder on this computer; pass --db PATH.",
            )
        })?;
    tidings_engine::about::record_panics_beside(Some(&db_path));
    let engine = Engine::open(EngineConfig {
        clock,
        ..EngineConfig::new(db_path)
    })
    .map_err(|e| e.payload())?;

    match cli.command {
        Command::Doctor => {
            let report = engine.doctor().map_err(|e| e.payload())?;
            if cli.json {
                print_json(&report)
            } else {
                out!(
                    "tidings:   {} (build {}, {})",
                    report.version,
                    report.build,
                    report.profile
                );
                out!("database:  {}", report.db_path);
                out!(
                    "schema:    version {} (this build knows up to {})",
                    report.schema_version,
                    report.schema_version_supported
                );
                out!(
                    "provider:  {}{}",
                    report.provider.as_str(),
                    if report.sandbox {
                        " (no real texts are sent)"
                    } else {
                        ""
                    }
                );
                out!("keyring:   {}", report.keyring);
                out!(
                    "setup:     {}",
                    if report.setup_complete {
                        format!("done for {}", report.business_name)
                    } else {
                        "not done yet: open the app, or use `settings set`".to_owned()
                    }
                );
                Ok(())
            }
        }
        Command::Import {
            what:
                ImportWhat::Clients {
                    file,
                    dry_run,
                    consent,
                    consent_source,
                    consent_date,
                    map,
                },
        } => {
            let bytes = std::fs::read(&file).map_err(|e| {
                fail(
                    ErrorCode::ImportFile,
                    format!("Can't read {}: {e}", file.display()),
                )
            })?;
            let consent = match consent {
                Some(purpose) => Some(ImportConsent {
                    purpose: parse_purpose(&purpose)?,
                    source: consent_source.unwrap_or_default(),
                    obtained_on: consent_date.unwrap_or_default(),
                }),
                None => None,
            };
            let mapping = if map.is_empty() {
                None
            } else {
                let headers = csv_headers(&bytes)?;
                let mut mapping = tidings_engine::domain::import::guess_mapping(&headers);
                for entry in &map {
                    let (field, column) = map_entry(entry, &headers)?;
                    let slot = match field {
                        "name" => &mut mapping.name,
                        "first_name" => &mut mapping.first_name,
                        "last_name" => &mut mapping.last_name,
                        "phone" => &mut mapping.phone,
                        "notes" => &mut mapping.notes,
                        "timezone" => &mut mapping.timezone,
                        other => {
                            return Err(fail(
                                ErrorCode::InvalidInput,
                                format!(
                                    "--map: there is no client field \"{other}\". Use one of: \
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
            let report = engine
                .import_clients(
                    &bytes,
                    &options,
                    dry_run,
                    WriteSource::Cli,
                    "cli",
                    &mut |_, _| {},
                )
                .map_err(|e| e.payload())?;
            if cli.json {
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
        Command::Import {
            what:
                ImportWhat::Appointments {
                    file,
                    dry_run,
                    map,
                    title,
                },
        } => {
            let bytes = std::fs::read(&file).map_err(|e| {
                fail(
                    ErrorCode::ImportFile,
                    format!("Can't read {}: {e}", file.display()),
                )
            })?;
            let title_rule = match title.as_deref() {
                None => None,
                Some("service-name") => Some(TitleRule::ServiceThenName),
                Some("name-service") => Some(TitleRule::NameThenService),
                Some("name") => Some(TitleRule::NameOnly),
                Some(other) => {
                    return Err(fail(
                        ErrorCode::InvalidInput,
                        format!(
                            "--title: \"{other}\" is not a rule. Use service-name, \
                             name-service or name."
                        ),
                    ))
                }
            };
            let mapping = if map.is_empty() {
                None
            } else if tidings_engine::domain::appointment_import::is_ics(&bytes) {
                return Err(fail(
                    ErrorCode::InvalidInput,
                    "--map is for CSV files; a calendar file's events say what each part is \
                     (use --title for their titles).",
                ));
            } else {
                let headers = csv_headers(&bytes)?;
                let mut mapping: tidings_engine::AppointmentMapping =
                    tidings_engine::domain::appointment_import::guess_columns(&headers).into();
                for entry in &map {
                    let (field, column) = map_entry(entry, &headers)?;
                    let slot = match field {
                        "date" => &mut mapping.date,
                        "start_time" => &mut mapping.start_time,
                        "end_time" => &mut mapping.end_time,
                        "duration_minutes" => &mut mapping.duration_minutes,
                        "client_name" => &mut mapping.client_name,
                        "last_name" => &mut mapping.last_name,
                        "phone" => &mut mapping.phone,
                        "service" => &mut mapping.service,
                        "staff" => &mut mapping.staff,
                        "status" => &mut mapping.status,
                        "external_id" => &mut mapping.external_id,
                        "notes" => &mut mapping.notes,
                        other => {
                            return Err(fail(
                                ErrorCode::InvalidInput,
                                format!(
                                    "--map: there is no appointment field \"{other}\". Use one \
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
            let options = tidings_engine::AppointmentImportOptions {
                mapping,
                title_rule,
            };
            let report = engine
                .import_appointments(&bytes, &options, dry_run, WriteSource::Cli, "cli")
                .map_err(|e| e.payload())?;
            if cli.json {
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
            for m in &report.missing {
                out!(
                    "  no longer in the file (not deleted): {} at {}",
                    m.client_name,
                    m.starts_at
                );
            }
            Ok(())
        }
        Command::Backup { file } => {
            let made = engine.backup_to(&file, "cli").map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&made);
            }
            out!(
                "backed up to {} ({} bytes, verified)",
                made.path,
                made.bytes
            );
            Ok(())
        }
        Command::Restore { file } => {
            let runtime = runtime()?;
            let report = runtime
                .block_on(engine.restore(&file, WriteSource::Cli))
                .map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&report);
            }
            out!(
                "restored {} clients, {} appointments, {} texts from {}; the state before is in {}",
                report.restored.clients,
                report.restored.appointments,
                report.restored.messages,
                report.restored.path,
                report.safety_backup.path
            );
            let kept = report.kept;
            if kept != tidings_engine::KeptAfterBackup::default() {
                out!(
                    "kept from after the backup: {} texts sent, {} replies received, {} consent records",
                    kept.texts,
                    kept.replies,
                    kept.consent_events
                );
            }
            Ok(())
        }
        Command::Export { file } => {
            let summary = engine.export_all(&file).map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&summary);
            }
            out!(
                "exported {} clients, {} appointments, {} texts and {} consent records to {}",
                summary.clients,
                summary.appointments,
                summary.texts,
                summary.consent_events,
                summary.path
            );
            Ok(())
        }
        Command::Sandbox {
            action: SandboxAction::Receive { from, text },
        } => {
            let region = engine.settings().map_err(|e| e.payload())?.phone_region;
            let phone = tidings_engine::domain::parse_phone(&from, &region)
                .map_err(|e| fail(ErrorCode::InvalidInput, e.to_string()))?;
            let sandbox = engine.sandbox().ok_or_else(|| {
                fail(
                    ErrorCode::Provider,
                    "The Sandbox phone works only in Sandbox mode.",
                )
            })?;
            sandbox
                .customer_sends(&phone, &text)
                .map_err(|e| fail(ErrorCode::Provider, e.to_string()))?;
            let runtime = runtime()?;
            let received = runtime
                .block_on(engine.poll_inbound())
                .map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&serde_json::json!({ "received": received }));
            }
            out!("received {} text(s)", received.len());
            Ok(())
        }
        Command::Segments { text } => {
            let info = tidings_engine::domain::segments(&text);
            if cli.json {
                return print_json(&info);
            }
            out!(
                "{} · {} segment{} · {} units{}",
                if info.encoding == tidings_engine::domain::Encoding::Gsm7 {
                    "GSM-7"
                } else {
                    "UCS-2"
                },
                info.segments,
                if info.segments == 1 { "" } else { "s" },
                info.units,
                if info.non_gsm.is_empty() {
                    String::new()
                } else {
                    format!(" · UCS-2 because of {}", info.non_gsm.join(" "))
                }
            );
            Ok(())
        }
        Command::Reminders {
            action: RemindersAction::Preset { name },
        } => {
            let preset = tidings_engine::Preset::parse(&name).ok_or_else(|| {
                fail(
                    ErrorCode::InvalidInput,
                    format!("\"{name}\" is not a preset; use standard, clinic or light"),
                )
            })?;
            let rules = engine
                .apply_preset(preset, WriteSource::Cli, "cli")
                .map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&rules);
            }
            for r in &rules {
                out!(
                    "{} ({} min before){}",
                    r.name,
                    r.offset_minutes,
                    if r.asks_confirmation {
                        ", asks YES/NO"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        Command::Plan => {
            let outbox = engine.outbox(None).map_err(|e| e.payload())?;
            let live: Vec<_> = outbox
                .into_iter()
                .filter(|m| {
                    matches!(m.status, tidings_engine::MessageStatus::Planned) || m.reason.is_some()
                })
                .collect();
            if cli.json {
                return print_json(&live);
            }
            for m in &live {
                out!(
                    "{:>6}  {:<20} {:<16} {:<12} {}",
                    m.id,
                    m.send_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "-".into()),
                    m.to,
                    m.status.as_str(),
                    m.reason_text.clone().unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::Notice {
            date,
            staff,
            from,
            to,
            urgent,
            dry_run,
            text,
        } => {
            let staff_id = match staff {
                None => None,
                Some(name) => Some(
                    engine
                        .staff()
                        .map_err(|e| e.payload())?
                        .into_iter()
                        .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
                        .ok_or_else(|| {
                            fail(
                                ErrorCode::InvalidInput,
                                format!("There is no staff member called \"{name}\"."),
                            )
                        })?
                        .id,
                ),
            };
            let input = tidings_engine::NoticeInput {
                date,
                staff_id,
                from_time: from,
                to_time: to,
                text,
                urgent,
            };
            let preview = engine.preview_notice(&input).map_err(|e| e.payload())?;
            if dry_run {
                if cli.json {
                    return print_json(&preview);
                }
                for r in &preview.recipients {
                    out!(
                        "{}  {:<24} {}",
                        r.starts_at.format("%H:%M"),
                        r.client_name,
                        r.excluded_text.as_deref().unwrap_or("gets it")
                    );
                }
                out!("{} get it, {} do not", preview.sending, preview.skipped);
                return Ok(());
            }
            let mut progress = engine
                .send_notice(&input, WriteSource::Cli, "cli")
                .map_err(|e| e.payload())?;
            let runtime = runtime()?;
            // Sent now, at the provider's rate (texts held by quiet hours wait for the app).
            runtime.block_on(engine.tick()).map_err(|e| e.payload())?;
            progress = engine
                .notice_progress(progress.notice_id)
                .map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&serde_json::json!({
                    "notice": progress,
                    "recipients": preview.recipients,
                }));
            }
            out!(
                "notice {}: {} sent, {} waiting, {} not sent; {} excluded",
                progress.notice_id,
                progress.sent,
                progress.waiting,
                progress.failed,
                preview.skipped
            );
            Ok(())
        }
        Command::Update {
            appointment_id,
            template_or_text,
            minutes,
        } => {
            let is_key = tidings_engine::UPDATE_TEMPLATES
                .iter()
                .any(|(k, ..)| *k == template_or_text.trim());
            let input = tidings_engine::UpdateInput {
                template_key: is_key.then(|| template_or_text.trim().to_owned()),
                text: (!is_key).then(|| template_or_text.clone()),
                minutes,
            };
            let runtime = runtime()?;
            let sent = runtime
                .block_on(engine.send_update(appointment_id, &input, WriteSource::Cli, "cli"))
                .map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&sent);
            }
            out!("update to {}: {:?}", sent.to, sent.status);
            Ok(())
        }
        Command::Report { from, to } => {
            let zone = engine.business_zone().map_err(|e| e.payload())?;
            let today = engine.now().with_timezone(&zone).date_naive();
            let to = to.unwrap_or_else(|| today.format("%Y-%m-%d").to_string());
            let from = from.unwrap_or_else(|| {
                (today - chrono::Duration::days(29))
                    .format("%Y-%m-%d")
                    .to_string()
            });
            let report = engine.insights(&from, &to).map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&report);
            }
            let pct = |r: &tidings_engine::domain::metrics::Rate| match r.value {
                Some(v) => format!("{:.1}% ({} of {})", v * 100.0, r.count, r.out_of),
                None => "—".to_owned(),
            };
            out!("{} to {}", report.from, report.to);
            out!("sent          {}", report.sent);
            out!("delivered     {}", pct(&report.delivered));
            out!("response      {}", pct(&report.response));
            out!("confirmed     {}", pct(&report.confirmation));
            out!(
                "no-shows      reminded {} · not reminded {}",
                pct(&report.no_show_reminded),
                pct(&report.no_show_not_reminded)
            );
            out!("opt-outs      {}", pct(&report.opt_outs));
            for s in &report.signals {
                out!("! {} {}", s.message, s.what_to_check);
            }
            Ok(())
        }
        Command::Inbox { action } => match action {
            InboxAction::List { filter } => {
                let parsed = tidings_engine::InboxFilter::parse(filter.trim()).ok_or_else(|| {
                    fail(
                        ErrorCode::InvalidInput,
                        format!("There is no inbox filter \"{filter}\". Use needs_reply, reschedule, possible_opt_out, unknown, open, all or resolved."),
                    )
                })?;
                let view = engine.inbox(parsed).map_err(|e| e.payload())?;
                if cli.json {
                    return print_json(&view);
                }
                out!(
                    "{} unread; {} need a reply, {} reschedule requests, {} possible opt-outs",
                    view.counts.unread,
                    view.counts.needs_reply,
                    view.counts.reschedule,
                    view.counts.possible_opt_out
                );
                for t in &view.threads {
                    out!(
                        "{:>5}  {:<24} {:>3} unread  {}  {}",
                        t.id,
                        t.client_name.clone().unwrap_or_else(|| t.phone.clone()),
                        t.unread,
                        t.last_message_at.format("%Y-%m-%d %H:%M"),
                        t.last_preview
                    );
                }
                Ok(())
            }
            InboxAction::Search { words } => {
                let hits = engine.search_inbox(&words).map_err(|e| e.payload())?;
                if cli.json {
                    return print_json(&serde_json::json!({ "hits": hits }));
                }
                for h in &hits {
                    out!(
                        "{}  {:<24} {}",
                        h.at.format("%Y-%m-%d %H:%M"),
                        h.client_name.clone().unwrap_or_else(|| h.phone.clone()),
                        h.snippet
                    );
                }
                Ok(())
            }
        },
        Command::Provider { action } => {
            let runtime = runtime()?;
            let view = match action {
                ProviderAction::Show => engine.provider_view().map_err(|e| e.payload())?,
                ProviderAction::Resume => engine
                    .resume_sending(WriteSource::Cli)
                    .map_err(|e| e.payload())?,
                ProviderAction::TestText { to } => {
                    let sent = runtime
                        .block_on(engine.send_test_text(&to, WriteSource::Cli, "cli"))
                        .map_err(|e| e.payload())?;
                    if cli.json {
                        return print_json(&sent);
                    }
                    out!("test text to {}: {:?}", sent.to, sent.status);
                    return Ok(());
                }
                ProviderAction::Set {
                    choice: ProviderChoice::Sandbox { forget },
                } => engine
                    .use_sandbox(forget, WriteSource::Cli, "cli")
                    .map_err(|e| e.payload())?,
                ProviderAction::Set {
                    choice:
                        ProviderChoice::Twilio {
                            account_sid,
                            api_key,
                            from_number,
                            messaging_service,
                            base_url,
                        },
                } => {
                    let mut secret = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut secret).map_err(
                        |e| {
                            fail(
                                ErrorCode::InvalidInput,
                                format!("Can't read the secret from standard input: {e}"),
                            )
                        },
                    )?;
                    let input = tidings_engine::domain::TwilioInput {
                        account_sid,
                        api_key_sid: api_key,
                        from_number,
                        messaging_service_sid: messaging_service,
                        base_url,
                        secret: secret.trim().to_owned(),
                    };
                    runtime
                        .block_on(engine.connect_twilio(&input, WriteSource::Cli, "cli"))
                        .map_err(|e| e.payload())?
                }
                ProviderAction::Set {
                    choice:
                        ProviderChoice::Smsgate {
                            url,
                            username,
                            seconds_between,
                        },
                } => {
                    let mut password = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut password).map_err(
                        |e| {
                            fail(
                                ErrorCode::InvalidInput,
                                format!("Can't read the password from standard input: {e}"),
                            )
                        },
                    )?;
                    let input = tidings_engine::domain::SmsGateInput {
                        base_url: url,
                        username,
                        password: password.trim().to_owned(),
                        seconds_between_texts: seconds_between,
                    };
                    runtime
                        .block_on(engine.connect_smsgate(&input, WriteSource::Cli, "cli"))
                        .map_err(|e| e.payload())?
                }
            };
            if cli.json {
                return print_json(&view);
            }
            out!("provider:  {}", view.kind.as_str());
            if let Some(t) = &view.twilio {
                out!("account:   {}", t.account_sid);
                if let Some(from) = &t.from_number {
                    out!("from:      {from}");
                }
                if let Some(mg) = &t.messaging_service_sid {
                    out!("service:   {mg}");
                }
                out!(
                    "secret:    {}",
                    if view.secret_stored {
                        "in the keyring"
                    } else {
                        "missing"
                    }
                );
            }
            if let Some(g) = &view.smsgate {
                out!("phone:     {} as {}", g.base_url, g.username);
                out!("pace:      one text every {} s", g.seconds_between_texts);
                out!(
                    "password:  {}",
                    if view.smsgate_password_stored {
                        "in the keyring"
                    } else {
                        "missing"
                    }
                );
            }
            if let Some(reason) = &view.paused {
                out!("PAUSED:    {reason}");
            }
            Ok(())
        }
        Command::Feed { action } => feed::run(&engine, action, cli.json),
        Command::Tick => {
            let runtime = runtime()?;
            let report = runtime.block_on(engine.tick()).map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&report);
            }
            out!(
                "sent {}, suppressed {}",
                report.sent.len(),
                report.suppressed.len()
            );
            for s in &report.suppressed {
                out!(
                    "  message {} to {}: {}",
                    s.message_id,
                    s.to,
                    s.reason
                        .map(|r| r.describe())
                        .unwrap_or("the provider refused it")
                );
            }
            Ok(())
        }
        Command::Appointments {
            action: AppointmentsAction::List { from, to },
        } => {
            let settings = engine.settings().map_err(|e| e.payload())?;
            let tz: chrono_tz::Tz = settings.zone();
            let today = engine.now().with_timezone(&tz).date_naive();
            let day = |text: Option<String>,
                       default: chrono::NaiveDate|
             -> Result<chrono::NaiveDate, ErrorPayload> {
                match text {
                    None => Ok(default),
                    Some(t) => chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| {
                        fail(
                            ErrorCode::InvalidInput,
                            format!("\"{t}\" is not a date; use YYYY-MM-DD"),
                        )
                    }),
                }
            };
            let from = day(from, today)?;
            let to = day(to, from + chrono::Duration::days(7))?;
            let start = |d: chrono::NaiveDate| {
                tidings_engine::domain::days::day_start(tz, d)
                    .ok_or_else(|| fail(ErrorCode::InvalidInput, "that date has no start here"))
            };
            let list = engine
                .appointments_between(start(from)?, start(to)?, None)
                .map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&list);
            }
            for a in &list {
                out!(
                    "{}  {:<24} {:<16} {:<14} {}",
                    a.starts_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                    a.client_name,
                    a.client_phone,
                    a.status.as_str(),
                    a.service.as_deref().unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::Clients { action } => match action {
            ClientsAction::List { search, archived } => {
                let clients = engine
                    .list_clients(search.as_deref().unwrap_or_default(), archived)
                    .map_err(|e| e.payload())?;
                if cli.json {
                    return print_json(&clients);
                }
                for c in &clients {
                    print_client_line(c);
                }
                Ok(())
            }
            ClientsAction::Show { phone } => {
                let detail = engine.client_by_phone(&phone).map_err(|e| e.payload())?;
                if cli.json {
                    // The client's own fields at the top, with its ledger beside them.
                    let mut value = serde_json::to_value(&detail.client)
                        .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
                    value["ledger"] = serde_json::to_value(&detail.ledger)
                        .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
                    return print_json(&value);
                }
                print_client_line(&detail.client);
                for e in &detail.ledger {
                    out!(
                        "  {} {} {} via {} by {}",
                        e.occurred_at.format("%Y-%m-%d %H:%M"),
                        e.purpose.as_str(),
                        e.action.as_str(),
                        e.channel.as_str(),
                        e.recorded_by
                    );
                }
                Ok(())
            }
        },
        Command::Consent { action } => {
            let (args, granted) = match action {
                ConsentAction::Grant(args) => (args, true),
                ConsentAction::Revoke(args) => (args, false),
                ConsentAction::Export { phone } => {
                    let client = engine.client_by_phone(&phone).map_err(|e| e.payload())?;
                    let export = engine
                        .consent_export(client.client.id)
                        .map_err(|e| e.payload())?;
                    if cli.json {
                        return print_json(&export);
                    }
                    out_raw!("{}", export.to_csv().map_err(|e| e.payload())?);
                    return Ok(());
                }
            };
            let client = engine
                .client_by_phone(&args.phone)
                .map_err(|e| e.payload())?;
            let channel = ConsentChannel::parse(&args.channel).ok_or_else(|| {
                fail(
                    ErrorCode::InvalidInput,
                    format!(
                        "--channel \"{}\" is not a channel; use front_desk_verbal, paper_form or web_form",
                        args.channel
                    ),
                )
            })?;
            let event = engine
                .record_consent(
                    &ConsentInput {
                        client_id: client.client.id,
                        purpose: parse_purpose(&args.purpose)?,
                        action: if granted {
                            tidings_engine::domain::ConsentAction::Granted
                        } else {
                            tidings_engine::domain::ConsentAction::Revoked
                        },
                        channel,
                        recorded_by: args.by,
                        occurred_at: None,
                        evidence: args.evidence,
                    },
                    WriteSource::Cli,
                )
                .map_err(|e| e.payload())?;
            if cli.json {
                return print_json(&event);
            }
            out!(
                "{} consent {} for {} ({})",
                event.purpose.as_str(),
                event.action.as_str(),
                client.client.name,
                client.client.phone
            );
            Ok(())
        }
        Command::Settings { action } => match action {
            SettingsAction::Show => {
                show_settings(&engine.settings().map_err(|e| e.payload())?, cli.json)
            }
            SettingsAction::Set { key, value } => {
                let update = SettingsUpdate::from_key_value(&key, &value)
                    .map_err(|e| tidings_engine::EngineError::from(e).payload())?;
                let settings = engine
                    .update_settings(&update, WriteSource::Cli, "cli")
                    .map_err(|e| e.payload())?;
                show_settings(&settings, cli.json)
            }
        },
    }
}

fn parse_purpose(text: &str) -> Result<Purpose, ErrorPayload> {
    Purpose::parse(text).ok_or_else(|| {
        fail(
            ErrorCode::InvalidInput,
            format!("\"{text}\" is not a purpose; use service or marketing"),
        )
    })
}

fn consent_word(state: ConsentState) -> &'static str {
    match state {
        ConsentState::Granted => "granted",
        ConsentState::Revoked => "revoked",
        ConsentState::None => "none",
    }
}

fn print_client_line(c: &Client) {
    out!(
        "{:<16} {:<30} service: {:<8} marketing: {:<8}{}",
        c.phone,
        c.name,
        consent_word(c.consent.service),
        consent_word(c.consent.marketing),
        if c.archived { " (archived)" } else { "" }
    );
}

/// A runtime for the engine's async work (sending, polling) within one command.
fn runtime() -> Result<tokio::runtime::Runtime, ErrorPayload> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(ErrorCode::Internal, e.to_string()))
}

fn print_json(value: &impl Serialize) -> Result<(), ErrorPayload> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
    out!("{text}");
    Ok(())
}

fn show_settings(settings: &Settings, json: bool) -> Result<(), ErrorPayload> {
    if json {
        return print_json(settings);
    }
    out!("business_name       {}", settings.business_name);
    out!("timezone            {}", settings.timezone);
    out!("phone_region        {}", settings.phone_region);
    out!(
        "quiet_hours         {}-{}",
        settings.quiet_hours.start,
        settings.quiet_hours.end
    );
    out!("max_texts_per_day   {}", settings.caps.max_texts_per_day);
    out!("max_texts_per_week  {}", settings.caps.max_texts_per_week);
    out!("provider            {}", settings.provider.as_str());
    Ok(())
}
