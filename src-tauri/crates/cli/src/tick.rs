//! `tidings-cli tick`: one pass of the scheduler at `--now`.

use tidings_engine::{Engine, ErrorPayload};

use crate::output::print_json;
use crate::runtime;

pub(crate) fn run(engine: &Engine, json: bool) -> Result<(), ErrorPayload> {
    let runtime = runtime()?;
    let report = runtime.block_on(engine.tick())?;
    if json {
        return print_json(&report);
    }
    out!(
        "sent {}, suppressed {}",
        report.sent.len(),
        report.suppressed.len()
    );
    for s in &report.suppressed {
        out!(
            "  message {} to {}: {}",
            s.message_id,
            s.to,
            s.reason
                .map(|r| r.describe())
                .unwrap_or("the provider refused it")
        );
    }
    Ok(())
}
