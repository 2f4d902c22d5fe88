//! Reminder rules: listing them and saving one.

use tidings_domain::{Change, TemplateKind, WriteSource};
use tidings_store::{RuleRow, RuleSpec};

use crate::error::bad_input;
use crate::reminders::{ReminderRule, ReminderRuleInput};
use crate::{Engine, EngineError};

pub(crate) fn rule_view(r: RuleRow) -> ReminderRule {
    ReminderRule {
        id: r.id,
        name: r.name,
        offset_minutes: r.offset_minutes,
        min_lead_minutes: r.min_lead_minutes,
        template_id: r.template_id,
        template_name: r.template_name,
        asks_confirmation: r.asks_confirmation,
        enabled: r.enabled,
    }
}

impl Engine {
    pub fn reminder_rules(&self) -> Result<Vec<ReminderRule>, EngineError> {
        Ok(self.store.rules()?.into_iter().map(rule_view).collect())
    }

    pub fn save_reminder_rule(
        &self,
        input: &ReminderRuleInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<ReminderRule, EngineError> {
        let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 60 {
            return Err(bad_input(
                "name",
                "Give the rule a short name, such as \"24 hours before\".",
            ));
        }
        if !(15..=20160).contains(&input.offset_minutes) {
            return Err(bad_input(
                "offset_minutes",
                "A reminder goes between 15 minutes and 14 days before.",
            ));
        }
        if input.min_lead_minutes >= input.offset_minutes {
            return Err(bad_input("min_lead_minutes", "The latest useful time must be closer to the appointment than the reminder itself."));
        }
        let template = self
            .store
            .template(input.template_id)?
            .ok_or_else(|| bad_input("template_id", "Choose a template."))?;
        if template.kind != TemplateKind::Reminder {
            return Err(bad_input("template_id", "Choose a reminder template."));
        }
        let saved = self
            .store
            .save_rule(
                &RuleSpec {
                    id: input.id,
                    name,
                    offset_minutes: input.offset_minutes,
                    min_lead_minutes: input.min_lead_minutes,
                    template_id: input.template_id,
                    asks_confirmation: input.asks_confirmation,
                    enabled: input.enabled,
                },
                self.audit(actor, source, "reminder_rule", "save"),
            )?
            .ok_or_else(|| EngineError::NotFound("That rule no longer exists.".into()))?;
        self.publish(source, vec![Change::Rules]);
        self.replan_all()?;
        Ok(rule_view(saved))
    }
}
