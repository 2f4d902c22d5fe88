//! `tidings-cli reminders`: the reminder rules, replaced by a one-click preset.

use clap::{Subcommand, ValueEnum};
use tidings_engine::domain::WriteSource;
use tidings_engine::{Engine, ErrorCode, ErrorPayload, Preset};

use crate::fail;
use crate::output::print_json;
use crate::words::word;

#[derive(Debug, Subcommand)]
pub(crate) enum RemindersAction {
    /// Replace the reminder rules with a preset: standard, clinic or light.
    Preset { name: String },
}

/// A preset's name.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum PresetWord {
    Standard,
    Clinic,
    Light,
}

impl From<PresetWord> for Preset {
    fn from(word: PresetWord) -> Self {
        match word {
            PresetWord::Standard => Preset::Standard,
            PresetWord::Clinic => Preset::Clinic,
            PresetWord::Light => Preset::Light,
        }
    }
}

pub(crate) fn run(
    engine: &Engine,
    action: RemindersAction,
    json: bool,
) -> Result<(), ErrorPayload> {
    let RemindersAction::Preset { name } = action;
    let preset = word::<PresetWord>(name.trim())
        .map(Preset::from)
        .ok_or_else(|| {
            fail(
                ErrorCode::InvalidInput,
                format!("\"{name}\" is not a preset; use standard, clinic or light"),
            )
        })?;
    let rules = engine.apply_preset(preset, WriteSource::Cli, "cli")?;
    if json {
        return print_json(&rules);
    }
    for r in &rules {
        out!(
            "{} ({} min before){}",
            r.name,
            r.offset_minutes,
            if r.asks_confirmation {
                ", asks YES/NO"
            } else {
                ""
            }
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::words_of;

    #[test]
    fn preset_words_are_the_engines_own() {
        for (word, name) in words_of::<PresetWord>() {
            assert_eq!(Preset::parse(&name), Some(Preset::from(word)), "{name}");
        }
    }
}
