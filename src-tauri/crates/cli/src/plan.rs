//! `tidings-cli plan`: the texts planned to go, and those kept back with why.

use tidings_engine::{Engine, ErrorPayload, MessageStatus};

use crate::output::print_json;

pub(crate) fn run(engine: &Engine, json: bool) -> Result<(), ErrorPayload> {
    let outbox = engine.outbox(None)?;
    let live: Vec<_> = outbox
        .into_iter()
        .filter(|m| matches!(m.status, MessageStatus::Planned) || m.reason.is_some())
        .collect();
    if json {
        return print_json(&live);
    }
    for m in &live {
        out!(
            "{:>6}  {:<20} {:<16} {:<12} {}",
            m.id,
            m.send_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| "-".into()),
            m.to,
            m.status.as_str(),
            m.reason_text.clone().unwrap_or_default()
        );
    }
    Ok(())
}
