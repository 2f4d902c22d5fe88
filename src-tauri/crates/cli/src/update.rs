//! `tidings-cli update`: a status update about one appointment, sent at once.

use tidings_engine::domain::WriteSource;
use tidings_engine::{Engine, ErrorPayload, UpdateInput, UPDATE_TEMPLATES};

use crate::output::print_json;
use crate::runtime;

// No doc comment here: the command's help is the one on `Command::Update`.
#[derive(Debug, clap::Args)]
pub(crate) struct UpdateArgs {
    appointment_id: i64,
    template_or_text: String,
    /// For update_running_late.
    #[arg(long)]
    minutes: Option<u32>,
}

pub(crate) fn run(engine: &Engine, args: UpdateArgs, json: bool) -> Result<(), ErrorPayload> {
    let UpdateArgs {
        appointment_id,
        template_or_text,
        minutes,
    } = args;
    let is_key = UPDATE_TEMPLATES
        .iter()
        .any(|(k, ..)| *k == template_or_text.trim());
    let input = UpdateInput {
        template_key: is_key.then(|| template_or_text.trim().to_owned()),
        text: (!is_key).then(|| template_or_text.clone()),
        minutes,
    };
    let runtime = runtime()?;
    let sent =
        runtime.block_on(engine.send_update(appointment_id, &input, WriteSource::Cli, "cli"))?;
    if json {
        return print_json(&sent);
    }
    out!("update to {}: {:?}", sent.to, sent.status);
    Ok(())
}
