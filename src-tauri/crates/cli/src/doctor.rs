//! `tidings-cli doctor`: the database, schema, provider and keyring at a glance.

use tidings_engine::{Engine, ErrorPayload};

use crate::output::print_json;

pub(crate) fn run(engine: &Engine, json: bool) -> Result<(), ErrorPayload> {
    let report = engine.doctor()?;
    if json {
        return print_json(&report);
    }
    out!(
        "tidings:   {} (build {}, {})",
        report.version,
        report.build,
        report.profile
    );
    out!("database:  {}", report.db_path);
    out!(
        "schema:    version {} (this build knows up to {})",
        report.schema_version,
        report.schema_version_supported
    );
    out!(
        "provider:  {}{}",
        report.provider.as_str(),
        if report.sandbox {
            " (no real texts are sent)"
        } else {
            ""
        }
    );
    out!("keyring:   {}", report.keyring);
    out!(
        "setup:     {}",
        if report.setup_complete {
            format!("done for {}", report.business_name)
        } else {
            "not done yet: open the app, or use `settings set`".to_owned()
        }
    );
    Ok(())
}
