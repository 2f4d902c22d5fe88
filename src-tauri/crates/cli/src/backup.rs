//! `tidings-cli backup`, `restore` and `export`: copies of the data, and bringing one back.

use std::path::Path;

use tidings_engine::domain::WriteSource;
use tidings_engine::{Engine, ErrorPayload, KeptAfterBackup};

use crate::output::print_json;
use crate::runtime;

pub(crate) fn backup(engine: &Engine, file: &Path, json: bool) -> Result<(), ErrorPayload> {
    let made = engine.backup_to(file, "cli")?;
    if json {
        return print_json(&made);
    }
    out!(
        "backed up to {} ({} bytes, verified)",
        made.path,
        made.bytes
    );
    Ok(())
}

pub(crate) fn restore(engine: &Engine, file: &Path, json: bool) -> Result<(), ErrorPayload> {
    let runtime = runtime()?;
    let report = runtime.block_on(engine.restore(file, WriteSource::Cli))?;
    if json {
        return print_json(&report);
    }
    out!(
        "restored {} clients, {} appointments, {} texts from {}; the state before is in {}",
        report.restored.clients,
        report.restored.appointments,
        report.restored.messages,
        report.restored.path,
        report.safety_backup.path
    );
    let kept = report.kept;
    if kept != KeptAfterBackup::default() {
        out!(
            "kept from after the backup: {} texts sent, {} replies received, {} consent records",
            kept.texts,
            kept.replies,
            kept.consent_events
        );
    }
    Ok(())
}

pub(crate) fn export(engine: &Engine, file: &Path, json: bool) -> Result<(), ErrorPayload> {
    let summary = engine.export_all(file)?;
    if json {
        return print_json(&summary);
    }
    out!(
        "exported {} clients, {} appointments, {} texts and {} consent records to {}",
        summary.clients,
        summary.appointments,
        summary.texts,
        summary.consent_events,
        summary.path
    );
    Ok(())
}
