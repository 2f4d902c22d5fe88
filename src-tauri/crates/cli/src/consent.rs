//! `tidings-cli consent`: consent given or withdrawn, and a client's consent evidence.

use clap::{Subcommand, ValueEnum};
use tidings_engine::domain::{
    ConsentAction as LedgerAction, ConsentChannel, ConsentInput, Purpose, WriteSource,
};
use tidings_engine::{Engine, ErrorCode, ErrorPayload};

use crate::fail;
use crate::output::print_json;
use crate::words::word;

#[derive(Debug, Subcommand)]
pub(crate) enum ConsentAction {
    /// Record that the client gave consent.
    Grant(ConsentArgs),
    /// Record that the client withdrew consent.
    Revoke(ConsentArgs),
    /// The client's whole consent ledger (CSV, or JSON with --json).
    Export { phone: String },
}

#[derive(Debug, clap::Args)]
pub(crate) struct ConsentArgs {
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

/// `--purpose` (and an import's `--consent`): what the consent is for.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum PurposeWord {
    Service,
    Marketing,
}

impl From<PurposeWord> for Purpose {
    fn from(word: PurposeWord) -> Self {
        match word {
            PurposeWord::Service => Purpose::Service,
            PurposeWord::Marketing => Purpose::Marketing,
        }
    }
}

/// `--channel`: how the consent reached the business. Only the first three are recorded by
/// hand; the engine says so for the others.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum ChannelWord {
    FrontDeskVerbal,
    PaperForm,
    WebForm,
    SmsKeyword,
    ProviderReport,
    Import,
}

impl From<ChannelWord> for ConsentChannel {
    fn from(word: ChannelWord) -> Self {
        match word {
            ChannelWord::FrontDeskVerbal => ConsentChannel::FrontDeskVerbal,
            ChannelWord::PaperForm => ConsentChannel::PaperForm,
            ChannelWord::WebForm => ConsentChannel::WebForm,
            ChannelWord::SmsKeyword => ConsentChannel::SmsKeyword,
            ChannelWord::ProviderReport => ConsentChannel::ProviderReport,
            ChannelWord::Import => ConsentChannel::Import,
        }
    }
}

/// A purpose as typed (surrounding spaces aside): service or marketing.
pub(crate) fn parse_purpose(text: &str) -> Result<Purpose, ErrorPayload> {
    word::<PurposeWord>(text.trim())
        .map(Purpose::from)
        .ok_or_else(|| {
            fail(
                ErrorCode::InvalidInput,
                format!("\"{text}\" is not a purpose; use service or marketing"),
            )
        })
}

pub(crate) fn run(engine: &Engine, action: ConsentAction, json: bool) -> Result<(), ErrorPayload> {
    let (args, granted) = match action {
        ConsentAction::Grant(args) => (args, true),
        ConsentAction::Revoke(args) => (args, false),
        ConsentAction::Export { phone } => {
            let client = engine.client_by_phone(&phone)?;
            let export = engine.consent_export(client.client.id)?;
            if json {
                return print_json(&export);
            }
            out_raw!("{}", export.to_csv()?);
            return Ok(());
        }
    };
    let client = engine.client_by_phone(&args.phone)?;
    let channel = word::<ChannelWord>(args.channel.trim())
        .map(ConsentChannel::from)
        .ok_or_else(|| {
            fail(
                ErrorCode::InvalidInput,
                format!(
                    "--channel \"{}\" is not a channel; use front_desk_verbal, paper_form or web_form",
                    args.channel
                ),
            )
        })?;
    let event = engine.record_consent(
        &ConsentInput {
            client_id: client.client.id,
            purpose: parse_purpose(&args.purpose)?,
            action: if granted {
                LedgerAction::Granted
            } else {
                LedgerAction::Revoked
            },
            channel,
            recorded_by: args.by,
            occurred_at: None,
            evidence: args.evidence,
        },
        WriteSource::Cli,
    )?;
    if json {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::words_of;

    #[test]
    fn purpose_words_are_the_domains_own_and_cover_every_purpose() {
        let words = words_of::<PurposeWord>();
        for (word, name) in &words {
            assert_eq!(Purpose::parse(name), Some(Purpose::from(*word)), "{name}");
        }
        for purpose in Purpose::ALL {
            assert!(
                words.iter().any(|(w, _)| Purpose::from(*w) == purpose),
                "no word for {}",
                purpose.as_str()
            );
        }
    }

    #[test]
    fn channel_words_are_the_domains_own_and_cover_every_channel() {
        let words = words_of::<ChannelWord>();
        for (word, name) in &words {
            assert_eq!(
                ConsentChannel::parse(name),
                Some(ConsentChannel::from(*word)),
                "{name}"
            );
        }
        for channel in ConsentChannel::ALL {
            assert!(
                words
                    .iter()
                    .any(|(w, _)| ConsentChannel::from(*w) == channel),
                "no word for {}",
                channel.as_str()
            );
        }
    }
}
