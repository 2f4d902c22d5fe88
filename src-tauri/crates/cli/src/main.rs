//! `tidings-cli`: the engine without a window, for automation, administration and checks.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use serde::Serialize;
use tidings_engine::domain::{Settings, SettingsUpdate, WriteSource};
use tidings_engine::{
    paths, Clock, Engine, EngineConfig, ErrorCode, ErrorPayload, FixedClock, SystemClock,
};

#[derive(Debug, Parser)]
#[command(name = "tidings-cli", version, about = "Tidings from the command line")]
struct Cli {
    /// Database file (default: the app's own, in the per-user data folder).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Run as if it were this moment (RFC 3339), for tests and diagnostics.
    #[arg(long, global = true, value_name = "RFC3339")]
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
    ErrorPayload {
        code,
        message: message.into(),
        field: None,
        related_id: None,
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
                    println!("{text}");
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
                        "--now \"{text}\" is not an RFC 3339 time; use e.g. 2026-11-26T09:00:00Z"
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
    let engine = Engine::open(EngineConfig { db_path, clock }).map_err(|e| e.payload())?;

    match cli.command {
        Command::Doctor => {
            let report = engine.doctor().map_err(|e| e.payload())?;
            if cli.json {
                print_json(&report)
            } else {
                println!("database:  {}", report.db_path);
                println!(
                    "schema:    version {} (this build knows up to {})",
                    report.schema_version, report.schema_version_supported
                );
                println!(
                    "provider:  {}{}",
                    report.provider.as_str(),
                    if report.sandbox {
                        " (no real texts are sent)"
                    } else {
                        ""
                    }
                );
                println!("keyring:   {}", report.keyring);
                println!(
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

fn print_json(value: &impl Serialize) -> Result<(), ErrorPayload> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
    println!("{text}");
    Ok(())
}

fn show_settings(settings: &Settings, json: bool) -> Result<(), ErrorPayload> {
    if json {
        return print_json(settings);
    }
    println!("business_name       {}", settings.business_name);
    println!("timezone            {}", settings.timezone);
    println!("phone_region        {}", settings.phone_region);
    println!(
        "quiet_hours         {}-{}",
        settings.quiet_hours.start, settings.quiet_hours.end
    );
    println!("max_texts_per_day   {}", settings.caps.max_texts_per_day);
    println!("max_texts_per_week  {}", settings.caps.max_texts_per_week);
    println!("provider            {}", settings.provider.as_str());
    Ok(())
}
