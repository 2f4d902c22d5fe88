//! `tidings-cli feed`: calendar feeds kept up to date from a booking system.

use chrono::{DateTime, TimeZone, Utc};
use clap::Subcommand;
use tidings_engine::domain::WriteSource;
use tidings_engine::{Engine, ErrorPayload, Feed, FeedInput, FeedRead};

use crate::output::{desk_time, print_json};
use crate::runtime;

#[derive(Debug, Subcommand)]
pub(crate) enum FeedAction {
    /// Adds a calendar feed: an https:// or webcal:// ICS address (kept in the keyring), or a
    /// folder the booking system saves its CSV export into. It is read once at once.
    Add {
        #[arg(value_name = "URL_OR_FOLDER")]
        address: String,
        /// What to call it (default: the calendar service, or the folder's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Every feed with its last read and any problem.
    List,
    /// Reads every feed now and says what changed.
    Sync,
    /// Removes a feed; the bookings it brought stay.
    Remove { id: i64 },
}

fn when<Z: TimeZone>(zone: &Z, t: Option<DateTime<Utc>>) -> String
where
    Z::Offset: std::fmt::Display,
{
    t.map(|t| desk_time(zone, t))
        .unwrap_or_else(|| "never".to_owned())
}

fn print_feed<Z: TimeZone>(zone: &Z, f: &Feed)
where
    Z::Offset: std::fmt::Display,
{
    out!("{}  {}  ({})", f.id, f.name, f.shown);
    out!("    last read: {}", when(zone, f.last_read_at));
    if let Some(c) = &f.last_result {
        out!(
            "    last good read ({}): {} new, {} changed, {} cancelled, {} removed, {} skipped",
            when(zone, f.last_ok_at),
            c.created,
            c.updated,
            c.cancelled,
            c.removed,
            c.skipped + c.no_client
        );
    }
    if let Some(problem) = &f.problem {
        out!("    problem: {problem}");
    }
    out!("    next read: {}", when(zone, Some(f.next_read_at)));
}

fn print_read<Z: TimeZone>(zone: &Z, r: &FeedRead)
where
    Z::Offset: std::fmt::Display,
{
    match (&r.changes, &r.problem) {
        (_, Some(problem)) => out!("{} (feed {}): not read: {problem}", r.name, r.feed_id),
        (Some(c), None) => {
            out!(
                "{} (feed {}): {} new, {} changed, {} unchanged, {} cancelled, {} removed",
                r.name,
                r.feed_id,
                c.created,
                c.updated,
                c.unchanged,
                c.cancelled,
                c.removed
            );
            for m in &r.removed {
                out!(
                    "  cancelled: {} at {} (removed from {})",
                    m.client_name,
                    desk_time(zone, m.starts_at),
                    r.name
                );
            }
            if let Some(report) = &r.report {
                for s in report.skipped.iter().chain(&report.no_client) {
                    out!("  row {}: {}", s.row, s.reason);
                }
            }
        }
        (None, None) => out!("{} (feed {}): nothing to read", r.name, r.feed_id),
    }
}

pub(crate) fn run(engine: &Engine, action: FeedAction, json: bool) -> Result<(), ErrorPayload> {
    let zone = engine.settings()?.zone();
    match action {
        FeedAction::Add { address, name } => {
            let (feed, read) = runtime()?.block_on(engine.add_feed(
                &FeedInput { address, name },
                WriteSource::Cli,
                "cli",
            ))?;
            if json {
                return print_json(&serde_json::json!({ "feed": feed, "read": read }));
            }
            out!("added feed {}: {} ({})", feed.id, feed.name, feed.shown);
            print_read(&zone, &read);
            Ok(())
        }
        FeedAction::List => {
            let feeds = engine.feeds()?;
            if json {
                return print_json(&feeds);
            }
            if feeds.is_empty() {
                out!("no feeds; add one with `tidings-cli feed add URL_OR_FOLDER`");
            }
            feeds.iter().for_each(|f| print_feed(&zone, f));
            Ok(())
        }
        FeedAction::Sync => {
            let reads = runtime()?.block_on(engine.sync_feeds(WriteSource::Cli, "cli"))?;
            if json {
                return print_json(&reads);
            }
            if reads.is_empty() {
                out!("no feeds to read");
            }
            reads.iter().for_each(|r| print_read(&zone, r));
            Ok(())
        }
        FeedAction::Remove { id } => {
            engine.remove_feed(id, WriteSource::Cli, "cli")?;
            if json {
                return print_json(&serde_json::json!({ "removed": id }));
            }
            out!("removed feed {id}; its bookings stay");
            Ok(())
        }
    }
}
