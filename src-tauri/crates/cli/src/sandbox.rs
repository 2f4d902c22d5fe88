//! `tidings-cli sandbox`: the Sandbox phone, texting the business as a customer would.

use clap::Subcommand;
use tidings_engine::domain::parse_phone;
use tidings_engine::{Engine, ErrorCode, ErrorPayload};

use crate::output::print_json;
use crate::{fail, runtime};

#[derive(Debug, Subcommand)]
pub(crate) enum SandboxAction {
    /// A text from a customer's phone to the business.
    Receive {
        #[arg(long)]
        from: String,
        text: String,
    },
}

pub(crate) fn run(engine: &Engine, action: SandboxAction, json: bool) -> Result<(), ErrorPayload> {
    let SandboxAction::Receive { from, text } = action;
    let region = engine.settings()?.phone_region;
    let phone =
        parse_phone(&from, &region).map_err(|e| fail(ErrorCode::InvalidInput, e.to_string()))?;
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
    let received = runtime.block_on(engine.poll_inbound())?;
    if json {
        return print_json(&serde_json::json!({ "received": received }));
    }
    out!("received {} text(s)", received.len());
    Ok(())
}
