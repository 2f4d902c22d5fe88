//! `tidings-cli clients`: the client list, and one client with the consent ledger.

use clap::Subcommand;
use tidings_engine::domain::{Client, ConsentState};
use tidings_engine::{Engine, ErrorCode, ErrorPayload, CLIENT_LIST_LIMIT};

use crate::fail;
use crate::output::{desk_time, print_json};

#[derive(Debug, Subcommand)]
pub(crate) enum ClientsAction {
    /// Clients (or those matching --search), with current consent: at most 500, the list
    /// says when there are more.
    List {
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        archived: bool,
    },
    /// One client, found by number in any form, with the consent ledger.
    Show { phone: String },
}

pub(crate) fn run(engine: &Engine, action: ClientsAction, json: bool) -> Result<(), ErrorPayload> {
    match action {
        ClientsAction::List { search, archived } => {
            let clients = engine.list_clients(search.as_deref().unwrap_or_default(), archived)?;
            if json {
                return print_json(&clients);
            }
            for c in &clients {
                print_client_line(c);
            }
            if u32::try_from(clients.len()).unwrap_or(u32::MAX) >= CLIENT_LIST_LIMIT {
                out!(
                    "(the first {CLIENT_LIST_LIMIT} clients only: add --search NAME_OR_NUMBER to find others)"
                );
            }
            Ok(())
        }
        ClientsAction::Show { phone } => {
            let detail = engine.client_by_phone(&phone)?;
            if json {
                // The client's own fields at the top, with its ledger beside them.
                let mut value = serde_json::to_value(&detail.client)
                    .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
                value["ledger"] = serde_json::to_value(&detail.ledger)
                    .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
                return print_json(&value);
            }
            print_client_line(&detail.client);
            let zone = engine.settings()?.zone();
            for e in &detail.ledger {
                out!(
                    "  {} {} {} via {} by {}",
                    desk_time(&zone, e.occurred_at),
                    e.purpose.as_str(),
                    e.action.as_str(),
                    e.channel.as_str(),
                    e.recorded_by
                );
            }
            Ok(())
        }
    }
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
