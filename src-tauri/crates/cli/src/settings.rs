//! `tidings-cli settings`: the business settings, shown or changed one at a time.

use clap::Subcommand;
use tidings_engine::domain::{Settings, SettingsUpdate, WriteSource};
use tidings_engine::{Engine, EngineError, ErrorPayload};

use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub(crate) enum SettingsAction {
    /// Print every setting.
    Show,
    /// Change one setting: business_name, timezone, phone_region, quiet_hours (HH:MM-HH:MM),
    /// max_texts_per_day, max_texts_per_week.
    Set { key: String, value: String },
}

pub(crate) fn run(engine: &Engine, action: SettingsAction, json: bool) -> Result<(), ErrorPayload> {
    match action {
        SettingsAction::Show => show_settings(&engine.settings()?, json),
        SettingsAction::Set { key, value } => {
            let update = SettingsUpdate::from_key_value(&key, &value).map_err(EngineError::from)?;
            let settings = engine.update_settings(&update, WriteSource::Cli, "cli")?;
            show_settings(&settings, json)
        }
    }
}

fn show_settings(settings: &Settings, json: bool) -> Result<(), ErrorPayload> {
    if json {
        return print_json(settings);
    }
    out!("business_name       {}", settings.business_name);
    out!("timezone            {}", settings.timezone);
    out!("phone_region        {}", settings.phone_region);
    out!(
        "quiet_hours         {}-{}",
        settings.quiet_hours.start,
        settings.quiet_hours.end
    );
    out!("max_texts_per_day   {}", settings.caps.max_texts_per_day);
    out!("max_texts_per_week  {}", settings.caps.max_texts_per_week);
    out!("provider            {}", settings.provider.as_str());
    Ok(())
}
