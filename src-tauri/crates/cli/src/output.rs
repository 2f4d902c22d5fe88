//! Writing to standard output: lines, JSON, and a failure's JSON.

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use tidings_engine::{ErrorCode, ErrorPayload};

use crate::fail;

/// Prints a line to standard output, like `println!`, but a reader that went away
/// (`tidings-cli plan --json | head -5`) ends the command quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// [`out!`] without the line end.
macro_rules! out_raw {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!($($arg)*))
    };
}

/// Writes to standard output. Output is printed only after the work it reports is done and
/// committed, so stopping here loses nothing: a closed pipe exits with success and no message,
/// as other command-line tools do; any other write failure (a full disk behind a redirect)
/// says what happened and exits with failure.
pub(crate) fn write_out(args: std::fmt::Arguments<'_>) {
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

/// A failure: a stable code and a one-line reason.
#[derive(Debug, Serialize)]
pub(crate) struct Failure {
    pub(crate) error: ErrorPayload,
}

pub(crate) fn print_json(value: &impl Serialize) -> Result<(), ErrorPayload> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
    out!("{text}");
    Ok(())
}

/// A moment as the desk reads it everywhere in the app: the business's date and time.
pub(crate) fn desk_time<Z: TimeZone>(zone: &Z, t: DateTime<Utc>) -> String
where
    Z::Offset: std::fmt::Display,
{
    t.with_timezone(zone).format("%Y-%m-%d %H:%M").to_string()
}
