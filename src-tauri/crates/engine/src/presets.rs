//! The one-click reminder setups: what each preset is, and applying one.

use tidings_domain::{Caps, Change, WriteSource};
use tidings_store::RuleSpec;

use crate::reminders::{Preset, PresetInfo, ReminderRule};
use crate::rules::rule_view;
use crate::{Engine, EngineError};

impl Engine {
    pub fn presets(&self) -> Vec<PresetInfo> {
        vec![
            PresetInfo { preset: Preset::Standard, name: "Standard".into(), description: "A reminder 24 hours before asking the client to reply YES or NO, and another 2 hours before.".into() },
            PresetInfo { preset: Preset::Clinic, name: "Clinic".into(), description: "Reminders 48 and 24 hours before, and at most 1 text a day and 3 a week per client.".into() },
            PresetInfo { preset: Preset::Light, name: "Light".into(), description: "One reminder 24 hours before, asking the client to reply YES or NO.".into() },
        ]
    }

    /// One click: replaces the rules with the preset's and plans every upcoming appointment.
    pub fn apply_preset(
        &self,
        preset: Preset,
        source: WriteSource,
        actor: &str,
    ) -> Result<Vec<ReminderRule>, EngineError> {
        let template = |key: &str| -> Result<i64, EngineError> {
            Ok(self
                .store
                .template_by_key(key)?
                .ok_or_else(|| EngineError::NotFound(format!("template {key} is missing")))?
                .id)
        };
        let confirm = template("reminder_confirm")?;
        let soon = template("reminder_soon")?;
        let rule =
            |name: &str, hours: u32, lead_minutes: u32, template_id: i64, asks: bool| RuleSpec {
                id: None,
                name: name.to_owned(),
                offset_minutes: hours * 60,
                min_lead_minutes: lead_minutes,
                template_id,
                asks_confirmation: asks,
                enabled: true,
            };
        let specs = match preset {
            Preset::Standard => vec![
                rule("24 hours before", 24, 4 * 60, confirm, true),
                rule("2 hours before", 2, 45, soon, false),
            ],
            Preset::Clinic => vec![
                rule("48 hours before", 48, 26 * 60, confirm, true),
                rule("24 hours before", 24, 4 * 60, confirm, true),
            ],
            Preset::Light => vec![rule("24 hours before", 24, 4 * 60, confirm, true)],
        };
        if preset == Preset::Clinic {
            let settings = self.settings()?;
            let mut next = settings.clone();
            next.caps = Caps {
                max_texts_per_day: 1,
                max_texts_per_week: 3,
            };
            if next != settings {
                self.store.save_settings(
                    &next,
                    self.audit(actor, source, "settings", "clinic_preset"),
                )?;
            }
        }
        let rules = self.store.replace_rules(
            &specs,
            self.audit(actor, source, "reminder_rules", "preset"),
        )?;
        self.publish(source, vec![Change::Rules, Change::Settings]);
        self.replan_all()?;
        Ok(rules.into_iter().map(rule_view).collect())
    }
}
