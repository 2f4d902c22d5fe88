//! `tidings-cli`: the engine without a window, for automation, administration and checks.
//!
//! This file reads the command line and hands each command to its module; each module holds
//! one command's options, its call into the engine and how its answer is printed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use tidings_engine::{
    paths, Clock, Engine, EngineConfig, ErrorCode, ErrorPayload, FixedClock, SystemClock,
};

#[macro_use]
mod output;

mod appointments;
mod backup;
mod clients;
mod consent;
mod doctor;
mod feed;
mod import;
mod inbox;
mod notice;
mod plan;
mod provider;
mod reminders;
mod report;
mod sandbox;
mod segments;
mod settings;
mod tick;
mod update;
mod words;

use output::Failure;

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
        action: settings::SettingsAction,
    },
    /// Bring data in from other systems.
    Import {
        #[command(subcommand)]
        what: import::ImportWhat,
    },
    /// Appointments in a date range.
    Appointments {
        #[command(subcommand)]
        action: appointments::AppointmentsAction,
    },
    /// Write a verified backup of the database to FILE (which must not exist yet).
    Backup { file: PathBuf },
    /// Replace the data with a backup FILE (the current state is backed up first).
    Restore { file: PathBuf },
    /// Write everything (clients, appointments, texts, consent ledger) to a zip FILE.
    Export { file: PathBuf },
    /// Sends (or with --dry-run, previews) a notice to every appointment of a day: who gets it,
    /// who does not and why.
    Notice(notice::NoticeArgs),
    /// Sends a status update about one appointment: a ready update's key (update_running_late,
    /// update_ready, update_arrive_early, update_staff_changed) or the text itself.
    Update(update::UpdateArgs),
    /// Insights for a period (default: the last 30 days): sent, delivered, response,
    /// confirmation, no-shows, opt-outs, first response, deflection, trends, signals.
    Report(report::ReportArgs),
    /// The reply inbox.
    Inbox {
        #[command(subcommand)]
        action: inbox::InboxAction,
    },
    /// The SMS provider: Sandbox or Twilio.
    Provider {
        #[command(subcommand)]
        action: provider::ProviderAction,
    },
    /// The Sandbox phone: texts as a customer would, routed like a real reply.
    Sandbox {
        #[command(subcommand)]
        action: sandbox::SandboxAction,
    },
    /// Encoding and segment count of a text.
    Segments { text: String },
    /// Reminder rules: the one-click presets.
    Reminders {
        #[command(subcommand)]
        action: reminders::RemindersAction,
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
        action: clients::ClientsAction,
    },
    /// Record consent or an opt-out, or export a client's consent evidence.
    Consent {
        #[command(subcommand)]
        action: consent::ConsentAction,
    },
}

/// A failure with a stable code and a one-line reason.
fn fail(code: ErrorCode, message: impl Into<String>) -> ErrorPayload {
    ErrorPayload::new(code, message)
}

/// A runtime for the engine's async work (sending, polling) within one command.
fn runtime() -> Result<tokio::runtime::Runtime, ErrorPayload> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(ErrorCode::Internal, e.to_string()))
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

/// Opens the engine at `--db` (or the app's own database), at `--now` when given.
fn open_engine(cli: &Cli) -> Result<Engine, ErrorPayload> {
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
    Ok(Engine::open(EngineConfig {
        clock,
        ..EngineConfig::new(db_path)
    })?)
}

fn run(cli: Cli) -> Result<(), ErrorPayload> {
    let engine = open_engine(&cli)?;
    let json = cli.json;
    match cli.command {
        Command::Doctor => doctor::run(&engine, json),
        Command::Settings { action } => settings::run(&engine, action, json),
        Command::Import { what } => import::run(&engine, what, json),
        Command::Appointments { action } => appointments::run(&engine, action, json),
        Command::Backup { file } => backup::backup(&engine, &file, json),
        Command::Restore { file } => backup::restore(&engine, &file, json),
        Command::Export { file } => backup::export(&engine, &file, json),
        Command::Notice(args) => notice::run(&engine, args, json),
        Command::Update(args) => update::run(&engine, args, json),
        Command::Report(args) => report::run(&engine, args, json),
        Command::Inbox { action } => inbox::run(&engine, action, json),
        Command::Provider { action } => provider::run(&engine, action, json),
        Command::Sandbox { action } => sandbox::run(&engine, action, json),
        Command::Segments { text } => segments::run(&text, json),
        Command::Reminders { action } => reminders::run(&engine, action, json),
        Command::Feed { action } => feed::run(&engine, action, json),
        Command::Plan => plan::run(&engine, json),
        Command::Tick => tick::run(&engine, json),
        Command::Clients { action } => clients::run(&engine, action, json),
        Command::Consent { action } => consent::run(&engine, action, json),
    }
}
