//! `tidings-cli inbox`: the reply inbox's threads, and searching its texts.

use clap::{Subcommand, ValueEnum};
use tidings_engine::{Engine, ErrorCode, ErrorPayload, InboxFilter};

use crate::fail;
use crate::output::{desk_time, print_json};
use crate::words::word;

#[derive(Debug, Subcommand)]
pub(crate) enum InboxAction {
    /// Threads, newest first: needs_reply, reschedule, possible_opt_out, unknown, open (the
    /// default), all or resolved.
    List {
        #[arg(long, default_value = "open")]
        filter: String,
    },
    /// Texts containing these words, newest first.
    Search { words: String },
}

/// `--filter`: which threads to list.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum FilterWord {
    NeedsReply,
    Reschedule,
    PossibleOptOut,
    Unknown,
    Open,
    All,
    Resolved,
}

impl From<FilterWord> for InboxFilter {
    fn from(word: FilterWord) -> Self {
        match word {
            FilterWord::NeedsReply => InboxFilter::NeedsReply,
            FilterWord::Reschedule => InboxFilter::Reschedule,
            FilterWord::PossibleOptOut => InboxFilter::PossibleOptOut,
            FilterWord::Unknown => InboxFilter::Unknown,
            FilterWord::Open => InboxFilter::Open,
            FilterWord::All => InboxFilter::All,
            FilterWord::Resolved => InboxFilter::Resolved,
        }
    }
}

pub(crate) fn run(engine: &Engine, action: InboxAction, json: bool) -> Result<(), ErrorPayload> {
    match action {
        InboxAction::List { filter } => {
            let zone = engine.settings()?.zone();
            let parsed = word::<FilterWord>(filter.trim())
                .map(InboxFilter::from)
                .ok_or_else(|| {
                    fail(
                        ErrorCode::InvalidInput,
                        format!("There is no inbox filter \"{filter}\". Use needs_reply, reschedule, possible_opt_out, unknown, open, all or resolved."),
                    )
                })?;
            let view = engine.inbox(parsed)?;
            if json {
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
                    desk_time(&zone, t.last_message_at),
                    t.last_preview
                );
            }
            Ok(())
        }
        InboxAction::Search { words } => {
            let zone = engine.settings()?.zone();
            let hits = engine.search_inbox(&words)?;
            if json {
                return print_json(&serde_json::json!({ "hits": hits }));
            }
            for h in &hits {
                out!(
                    "{}  {:<24} {}",
                    desk_time(&zone, h.at),
                    h.client_name.clone().unwrap_or_else(|| h.phone.clone()),
                    h.snippet
                );
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::words_of;

    #[test]
    fn filter_words_are_the_engines_own() {
        for (word, name) in words_of::<FilterWord>() {
            assert_eq!(
                InboxFilter::parse(&name),
                Some(InboxFilter::from(word)),
                "{name}"
            );
        }
    }
}
