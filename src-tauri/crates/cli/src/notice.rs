//! `tidings-cli notice`: one text to every appointment of a day, previewed or sent.

use tidings_engine::domain::WriteSource;
use tidings_engine::{Engine, ErrorCode, ErrorPayload, NoticeInput};

use crate::output::print_json;
use crate::{fail, runtime};

// No doc comment here: the command's help is the one on `Command::Notice`.
#[derive(Debug, clap::Args)]
pub(crate) struct NoticeArgs {
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
}

pub(crate) fn run(engine: &Engine, args: NoticeArgs, json: bool) -> Result<(), ErrorPayload> {
    let NoticeArgs {
        date,
        staff,
        from,
        to,
        urgent,
        dry_run,
        text,
    } = args;
    let staff_id = match staff {
        None => None,
        Some(name) => Some(
            engine
                .staff()?
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
    let input = NoticeInput {
        date,
        staff_id,
        from_time: from,
        to_time: to,
        text,
        urgent,
    };
    let preview = engine.preview_notice(&input)?;
    if dry_run {
        if json {
            return print_json(&preview);
        }
        let zone = engine.settings()?.zone();
        for r in &preview.recipients {
            out!(
                "{}  {:<24} {}",
                r.starts_at.with_timezone(&zone).format("%H:%M"),
                r.client_name,
                r.excluded_text.as_deref().unwrap_or("gets it")
            );
        }
        out!("{} get it, {} do not", preview.sending, preview.skipped);
        return Ok(());
    }
    let mut progress = engine.send_notice(&input, WriteSource::Cli, "cli")?;
    let runtime = runtime()?;
    // Sent now, at the provider's rate (texts held by quiet hours wait for the app).
    runtime.block_on(engine.tick())?;
    progress = engine.notice_progress(progress.notice_id)?;
    if json {
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
