//! `tidings-cli appointments`: the appointments of a range of the business's days.

use chrono::{Duration, NaiveDate};
use clap::Subcommand;
use tidings_engine::domain::days::day_start;
use tidings_engine::{Engine, ErrorCode, ErrorPayload};

use crate::fail;
use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub(crate) enum AppointmentsAction {
    /// Appointments starting between two dates (YYYY-MM-DD, business time zone; default:
    /// today and the next 7 days).
    List {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
}

/// A date as typed, or `default` when none was.
fn day(text: Option<String>, default: NaiveDate) -> Result<NaiveDate, ErrorPayload> {
    match text {
        None => Ok(default),
        Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| {
            fail(
                ErrorCode::InvalidInput,
                format!("\"{t}\" is not a date; use YYYY-MM-DD"),
            )
        }),
    }
}

pub(crate) fn run(
    engine: &Engine,
    action: AppointmentsAction,
    json: bool,
) -> Result<(), ErrorPayload> {
    let AppointmentsAction::List { from, to } = action;
    let tz = engine.settings()?.zone();
    let today = engine.now().with_timezone(&tz).date_naive();
    let from = day(from, today)?;
    let to = day(to, from + Duration::days(7))?;
    let start = |d: NaiveDate| {
        day_start(tz, d).ok_or_else(|| fail(ErrorCode::InvalidInput, "that date has no start here"))
    };
    let list = engine.appointments_between(start(from)?, start(to)?, None)?;
    if json {
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
