//! `tidings-cli update`: a status update about one appointment, sent at once.

use tidings_engine::domain::WriteSource;
use tidings_engine::{Engine, ErrorCode, ErrorPayload, UpdateInput, UPDATE_TEMPLATES};

use crate::fail;
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
    let typed = template_or_text.trim();
    let key = UPDATE_TEMPLATES
        .iter()
        .map(|(k, ..)| *k)
        .find(|k| k.eq_ignore_ascii_case(typed));
    // One word with underscores is a ready update's name, never words for the customer: a
    // mistyped name is refused, not texted as it is.
    if key.is_none() && !typed.contains(char::is_whitespace) && typed.contains('_') {
        return Err(fail(
            ErrorCode::InvalidInput,
            format!(
                "There is no ready update called \"{typed}\". The ready updates are: {}. To send \
                 your own words, put them in quotes.",
                UPDATE_TEMPLATES
                    .iter()
                    .map(|(k, ..)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if key.is_none() && minutes.is_some() {
        return Err(fail(
            ErrorCode::InvalidInput,
            "--minutes goes only with update_running_late.",
        ));
    }
    let input = UpdateInput {
        template_key: key.map(str::to_owned),
        text: key.is_none().then(|| template_or_text.clone()),
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
