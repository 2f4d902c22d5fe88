//! Planning reminders from appointments and rules, and the scheduler's pass: the gate that
//! runs at send time on current data, then the provider.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use tidings_domain::gate::{decide, CapUsage, Decision, RuleFacts, Snapshot, TextKind};
use tidings_domain::planner::{plan_reminders, AllowedHours, Planned, RuleTiming, SuppressReason};
use tidings_domain::template::{
    check_template, default_body, has_stop_hint, render, RenderContext,
};
use tidings_domain::{
    segments, Appointment, AppointmentStatus, Caps, Change, Encoding, Purpose, QuietHours,
    SegmentInfo, Settings, TemplateKind, WriteSource,
};
use tidings_sms::ProviderError;

use crate::dispatch::AfterFailure;
use crate::outbox::Delivery;
use tidings_domain::language::{Language, ENGLISH};
use tidings_store::{MessageRow, NewPlannedMessage, RuleRow, RuleSpec, TemplateRow};

use crate::error::bad_input;
use crate::reminders::{
    MessageStatus, OutboxMessage, Outlook, Preset, PresetInfo, ReminderRule, ReminderRuleInput,
    Template, TemplatePreview, TemplateVersion, TickItem, TickReport,
};
use crate::{Engine, EngineError};

/// Why an automated text waits: the customer's last text may ask to stop, and staff have not
/// reviewed it (DESIGN's inbound texts). It goes, through the gate, once they dismiss the flag.
pub const HELD_FOR_REVIEW: &str =
    "held: the customer's last text may ask us to stop; review it in the Inbox (possible opt-outs)";

/// The templates Tidings ships: (key, kind, name, body).
pub fn default_templates() -> Vec<(&'static str, TemplateKind, &'static str, &'static str)> {
    vec![
        (
            "reminder_confirm",
            TemplateKind::Reminder,
            "Reminder asking to confirm",
            default_body(TemplateKind::Reminder),
        ),
        (
            "reminder_soon",
            TemplateKind::Reminder,
            "Reminder shortly before",
            "{business}: see you at {time} today for your {service}. Reply STOP to opt out.",
        ),
        (
            "confirmation_reply",
            TemplateKind::ConfirmationReply,
            "Confirmed reply",
            default_body(TemplateKind::ConfirmationReply),
        ),
        (
            "reschedule_reply",
            TemplateKind::RescheduleReply,
            "Reschedule reply",
            default_body(TemplateKind::RescheduleReply),
        ),
        (
            "help_reply",
            TemplateKind::HelpReply,
            "Help reply",
            default_body(TemplateKind::HelpReply),
        ),
        (
            "opt_out_confirmation",
            TemplateKind::OptOutConfirmation,
            "Opt-out confirmation",
            default_body(TemplateKind::OptOutConfirmation),
        ),
        (
            "opt_in_confirmation",
            TemplateKind::OptInConfirmation,
            "Opt-in confirmation",
            default_body(TemplateKind::OptInConfirmation),
        ),
        (
            "holding_reply",
            TemplateKind::HoldingReply,
            "Holding reply",
            default_body(TemplateKind::HoldingReply),
        ),
        (
            "follow_up",
            TemplateKind::FollowUp,
            "Follow-up after a visit",
            default_body(TemplateKind::FollowUp),
        ),
        (
            "follow_up_ask",
            TemplateKind::FollowUp,
            "Ask how it went",
            "Thanks for coming to {business} today, {first_name}. How was your {service}? Reply with a number from 1 (poor) to 5 (great). Reply STOP to opt out.",
        ),
    ]
}

/// The Spanish text of a shipped template, by key: written as a Spanish speaker writes a
/// short service text (formal "usted", the keyword to stop named as ALTO).
pub fn spanish_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "reminder_confirm" => "{business}: su cita es el {weekday} {date} a las {time}. Responda SÍ para confirmar o NO para cambiarla. Responda ALTO para no recibir más mensajes.",
        "reminder_soon" => "{business}: le esperamos hoy a las {time}. Responda ALTO para no recibir más mensajes.",
        "confirmation_reply" => "Gracias, {first_name}: su cita del {weekday} a las {time} queda confirmada. ¡Hasta pronto!",
        "reschedule_reply" => "Gracias, {first_name}. Le escribiremos en breve para buscar otra hora. También puede llamarnos al {business_phone}.",
        "help_reply" => "{business}: mensajes sobre sus citas. La frecuencia varía. Pueden aplicarse tarifas de mensajes y datos. Para ayuda, llame al {business_phone}. Responda ALTO para darse de baja.",
        "opt_out_confirmation" => "{business}: no le enviaremos más mensajes. Responda COMENZAR para volver a recibirlos.",
        "opt_in_confirmation" => "{business}: volverá a recibir mensajes sobre sus citas. Responda ALTO para darse de baja.",
        "holding_reply" => "Gracias por su mensaje. Alguien de {business} le responderá lo antes posible.",
        "follow_up" => "¡Gracias por visitar {business}, {first_name}! Reserve su próxima cita cuando quiera: {business_phone}. Responda ALTO para darse de baja.",
        "follow_up_ask" => "Gracias por venir hoy a {business}, {first_name}. ¿Qué tal su visita? Responda con un número del 1 (mal) al 5 (excelente). Responda ALTO para darse de baja.",
        _ => return None,
    })
}

/// The shipped templates with their texts in every language Tidings ships.
pub fn shipped_templates() -> Vec<tidings_store::ShippedTemplate> {
    default_templates()
        .into_iter()
        .map(|(key, kind, name, body)| tidings_store::ShippedTemplate {
            key,
            kind,
            name,
            body,
            translations: spanish_text(key)
                .map(|es| std::iter::once(("es".to_owned(), es.to_owned())).collect())
                .unwrap_or_default(),
        })
        .collect()
}

fn template_view(t: tidings_store::TemplateRow) -> Template {
    Template {
        id: t.id,
        key: t.key,
        kind: t.kind,
        name: t.name,
        purpose: t.purpose,
        version: t.version,
        version_id: t.version_id,
        body: t.body,
        translations: t.translations,
        updated_at: t.updated_at,
    }
}

fn rule_view(r: RuleRow) -> ReminderRule {
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

fn outbox_view(m: MessageRow) -> OutboxMessage {
    let reason = m.reason.as_deref().and_then(SuppressReason::parse);
    OutboxMessage {
        id: m.id,
        appointment_id: m.appointment_id,
        appointment_starts_at: m.appointment_starts_at,
        rule_id: m.rule_id,
        rule_name: m.rule_name,
        client_id: m.client_id,
        client_name: m.client_name,
        to: m.to,
        status: m.status,
        reason,
        reason_text: reason
            .map(|r| r.describe().to_owned())
            .or_else(|| {
                // Replies record the template they were written from.
                let key = m.reason.as_deref()?;
                default_templates()
                    .into_iter()
                    .find(|(k, ..)| *k == key)
                    .map(|(_, _, name, _)| name.to_owned())
            })
            .or_else(|| {
                // What a text sent at once is, in words.
                let word = match m.reason.as_deref()? {
                    "test_text" => "Test text",
                    "staff_reply" => "Answer from staff",
                    "status_update" => "Status update",
                    _ => return None,
                };
                Some(word.to_owned())
            })
            .or(m.reason.filter(|r| SuppressReason::parse(r).is_none())),
        send_at: m.send_at,
        sent_at: m.sent_at,
        body: m.body,
        segments: m.segments,
        encoding: Encoding::parse(&m.encoding),
        template_version: m.template_version,
        outlook: None,
    }
}

impl Engine {
    /// Makes sure every shipped template exists (run at start).
    pub(crate) fn ensure_default_templates(&self) -> Result<(), EngineError> {
        self.store
            .ensure_templates(&shipped_templates(), self.now())?;
        Ok(())
    }

    pub fn templates(&self) -> Result<Vec<Template>, EngineError> {
        Ok(self
            .store
            .templates()?
            .into_iter()
            .map(template_view)
            .collect())
    }

    pub fn template_history(&self, template_id: i64) -> Result<Vec<TemplateVersion>, EngineError> {
        Ok(self
            .store
            .template_history(template_id)?
            .into_iter()
            .map(|v| TemplateVersion {
                id: v.id,
                template_id: v.template_id,
                version: v.version,
                body: v.body,
                translations: v.translations,
                created_at: v.created_at,
                created_by: v.created_by,
            })
            .collect())
    }

    /// Saves new English wording as a new version, keeping the other languages' texts.
    pub fn save_template(
        &self,
        template_id: i64,
        body: &str,
        source: WriteSource,
        actor: &str,
    ) -> Result<Template, EngineError> {
        self.save_template_texts(template_id, body, None, source, actor)
    }

    /// Saves new wording as a new version, in English and (when given) every other language,
    /// versioned together; an empty text in a language removes it (that language then gets
    /// the English). Unknown variables are refused, naming them and the language.
    pub fn save_template_texts(
        &self,
        template_id: i64,
        body: &str,
        translations: Option<&BTreeMap<String, String>>,
        source: WriteSource,
        actor: &str,
    ) -> Result<Template, EngineError> {
        let body = body.trim();
        check_template(body).map_err(|e| bad_input("body", e.to_string()))?;
        let current = self
            .store
            .template(template_id)?
            .ok_or_else(|| EngineError::NotFound("That template no longer exists.".into()))?;
        let translations = match translations {
            None => current.translations.clone(),
            Some(given) => {
                let mut kept = BTreeMap::new();
                for (code, text) in given {
                    let language = tidings_domain::language::language(code)
                        .filter(|l| l.code != "en")
                        .ok_or_else(|| {
                            bad_input(
                                "translations",
                                format!("\"{code}\" is not a language Tidings writes texts in besides English."),
                            )
                        })?;
                    let text = text.trim();
                    if text.is_empty() {
                        continue;
                    }
                    check_template(text).map_err(|e| {
                        bad_input("translations", format!("{}: {e}", language.name))
                    })?;
                    kept.insert(language.code.to_owned(), text.to_owned());
                }
                kept
            }
        };
        if current.body == body && current.translations == translations {
            return Ok(template_view(current));
        }
        let saved = self
            .store
            .add_template_version(
                template_id,
                body,
                &translations,
                self.now(),
                self.audit(actor, source, "template", "new_version"),
            )?
            .ok_or_else(|| EngineError::NotFound("That template no longer exists.".into()))?;
        self.publish(source, vec![Change::Templates]);
        Ok(template_view(saved))
    }

    /// Saves an earlier wording again, as the newest version.
    pub fn restore_template_version(
        &self,
        template_id: i64,
        version: u32,
        source: WriteSource,
        actor: &str,
    ) -> Result<Template, EngineError> {
        let old = self
            .store
            .template_history(template_id)?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or_else(|| {
                EngineError::NotFound(format!("There is no version {version} of that template."))
            })?;
        self.save_template_texts(
            template_id,
            &old.body,
            Some(&old.translations),
            source,
            actor,
        )
    }

    /// The text as the next upcoming client would get it, with its cost and warnings; `language`
    /// is the language `body` is written in (English when none).
    pub fn preview_template(
        &self,
        body: &str,
        language: Option<&str>,
    ) -> Result<TemplatePreview, EngineError> {
        check_template(body).map_err(|e| bad_input("body", e.to_string()))?;
        let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
            None => &ENGLISH,
            Some(code) => tidings_domain::language::language(code).ok_or_else(|| {
                bad_input(
                    "language",
                    format!("\"{code}\" is not a language Tidings writes texts in."),
                )
            })?,
        };
        let settings = self.settings()?;
        let now = self.now();
        let next = self
            .store
            .appointments_between(now, now + Duration::days(60), None)?
            .into_iter()
            .find(|a| a.status.is_live());
        let zone = settings.zone();
        let (ctx, sample_of) = match next {
            Some(a) => {
                let appointment_zone = a.timezone.parse().ok();
                (
                    RenderContext {
                        minutes: None,
                        client_name: a.client_name.clone(),
                        business: settings.business_name.clone(),
                        business_phone: settings.business_phone.clone(),
                        style: tidings_domain::DateStyle::for_region(&settings.phone_region),
                        language,
                        starts_at: Some(a.starts_at),
                        zone: appointment_zone.unwrap_or(zone),
                        service: a.service.clone(),
                        staff: a.staff.clone(),
                        location: a.location.clone(),
                    },
                    a.client_name,
                )
            }
            None => (
                RenderContext {
                    minutes: None,
                    client_name: "Alex Sample".into(),
                    business: settings.business_name.clone(),
                    business_phone: settings.business_phone.clone(),
                    style: tidings_domain::DateStyle::for_region(&settings.phone_region),
                    language,
                    starts_at: Some(now + Duration::days(1)),
                    zone,
                    service: Some("appointment".into()),
                    staff: None,
                    location: String::new(),
                },
                "Sample".into(),
            ),
        };
        let text = render(body, &ctx).map_err(|e| bad_input("body", e.to_string()))?;
        let cost = segments(&text);
        let mut warnings = Vec::new();
        if !has_stop_hint(body) {
            warnings.push("The text doesn't say how to stop. Reminders should end with \"Reply STOP to opt out\".".to_owned());
        }
        if cost.segments > 2 {
            warnings.push(format!(
                "This text is {} segments: each costs as much as a text. Keep reminders to 1 or 2.",
                cost.segments
            ));
        }
        if body.contains("{business_phone}") && settings.business_phone.is_empty() {
            warnings
                .push("{business_phone} is empty: add the business phone in Settings.".to_owned());
        }
        Ok(TemplatePreview {
            text,
            sample_of,
            segments: cost,
            warnings,
        })
    }

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

    pub(crate) fn allowed_hours(settings: &Settings, client_zone: Option<&str>) -> AllowedHours {
        let zone = client_zone
            .and_then(|z| z.parse().ok())
            .or_else(|| settings.timezone.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        AllowedHours {
            quiet: if QuietHours::new(&settings.quiet_hours.start, &settings.quiet_hours.end)
                .is_ok()
            {
                settings.quiet_hours.clone()
            } else {
                QuietHours::default()
            },
            no_sundays: settings.no_sundays,
            zone,
        }
    }

    /// Plans (or re-plans) the reminders of one appointment: keeps what still fits, cancels
    /// what no longer does, and records why a reminder can't go.
    pub fn replan(&self, appointment_id: i64) -> Result<(), EngineError> {
        let settings = self.settings()?;
        let rules: Vec<RuleRow> = self
            .store
            .rules()?
            .into_iter()
            .filter(|r| r.enabled)
            .collect();
        let plan = self.replan_with(appointment_id, &settings, &rules)?;
        self.store
            .apply_plan(&plan.cancel, &plan.retime, &plan.add, self.now())?;
        Ok(())
    }

    /// What re-planning one appointment changes. Nothing is written here.
    fn replan_with(
        &self,
        appointment_id: i64,
        settings: &Settings,
        rules: &[RuleRow],
    ) -> Result<Replan, EngineError> {
        let Some(appointment) = self.store.appointment(appointment_id)? else {
            return Ok(Replan::default());
        };
        let messages = self.store.appointment_messages(appointment_id)?;
        let client = self.store.client(appointment.client_id)?;
        Ok(plan_appointment(
            &appointment,
            &messages,
            client.as_ref().and_then(|c| c.timezone.as_deref()),
            settings,
            rules,
            self.now(),
        ))
    }
    /// Re-plans every upcoming appointment (after a rule, preset or policy change).
    pub fn replan_all(&self) -> Result<(), EngineError> {
        let settings = self.settings()?;
        let rules: Vec<RuleRow> = self
            .store
            .rules()?
            .into_iter()
            .filter(|r| r.enabled)
            .collect();
        let mut all = Replan::default();
        // Three reads for the lot, not three per appointment.
        let now = self.now();
        let from = now - Duration::days(1);
        let zones = self.store.client_timezones()?;
        let mut messages = self.store.upcoming_appointment_messages(from)?;
        for appointment in self.store.upcoming_appointments(from)? {
            let mine = messages.remove(&appointment.id).unwrap_or_default();
            let plan = plan_appointment(
                &appointment,
                &mine,
                zones.get(&appointment.client_id).map(String::as_str),
                &settings,
                &rules,
                now,
            );
            all.cancel.extend(plan.cancel);
            all.retime.extend(plan.retime);
            all.add.extend(plan.add);
        }
        // One transaction for the lot: all of the new plan, or none of it.
        self.store
            .apply_plan(&all.cancel, &all.retime, &all.add, self.now())?;
        self.publish(WriteSource::Background, vec![Change::Messages]);
        Ok(())
    }

    /// Re-plans one client's appointments (after a consent, number or time-zone change).
    /// Reminders that were kept from going only because the customer could not be texted (no
    /// consent, an opt-out, a number that could not take texts) come back first, when that no
    /// longer holds and their appointment is still ahead: planning then gives each its time,
    /// and the gate decides again when it is due.
    pub fn replan_client(&self, client_id: i64) -> Result<(), EngineError> {
        self.revive_refused(client_id)?;
        for id in self
            .store
            .client_upcoming_appointment_ids(client_id, self.now())?
        {
            self.replan(id)?;
        }
        Ok(())
    }

    fn revive_refused(&self, client_id: i64) -> Result<(), EngineError> {
        let Some(client) = self.store.client(client_id)? else {
            return Ok(());
        };
        let now = self.now();
        let reasons = [
            SuppressReason::NoConsent,
            SuppressReason::OptedOut,
            SuppressReason::InvalidNumber,
        ]
        .map(SuppressReason::as_str);
        for m in self
            .store
            .refused_reminders(Some(client_id), &reasons, now)?
        {
            let refused = tidings_domain::gate::recipient_refusal(Some(&client), m.purpose, true);
            if refused.is_none() {
                let due = m.send_at.map_or(now, |at| at.max(now));
                if self.store.revive_message(m.id, &client.phone, due, now)? {
                    tracing::info!(
                        message = m.id,
                        client = client_id,
                        "kept-back reminder planned again"
                    );
                }
            }
        }
        Ok(())
    }

    /// Reminders kept back because the business had no phone for them to give go again once it
    /// has one (each still passes the gate when it is sent).
    /// True when any was.
    pub(crate) fn revive_for_business_phone(&self) -> Result<bool, EngineError> {
        let now = self.now();
        let mut revived = false;
        let reasons = [SuppressReason::NoBusinessPhone.as_str()];
        for m in self.store.refused_reminders(None, &reasons, now)? {
            let Some(client) = m
                .client_id
                .map(|id| self.store.client(id))
                .transpose()?
                .flatten()
            else {
                continue;
            };
            if tidings_domain::gate::recipient_refusal(Some(&client), m.purpose, true).is_some() {
                continue;
            }
            let due = m.send_at.map_or(now, |at| at.max(now));
            if self.store.revive_message(m.id, &client.phone, due, now)? {
                revived = true;
                tracing::info!(
                    message = m.id,
                    "reminder kept back for the business phone planned again"
                );
            }
        }
        Ok(revived)
    }

    /// Planned sends first, then recent history; or one appointment's messages.
    pub fn outbox(&self, appointment_id: Option<i64>) -> Result<Vec<OutboxMessage>, EngineError> {
        let rows = match appointment_id {
            Some(id) => self.store.appointment_messages(id)?,
            None => self.store.outbox(200)?,
        };
        let settings = self.settings()?;
        let now = self.now();
        rows.into_iter()
            .map(|row| {
                let outlook = self.outlook(&row, &settings, now)?;
                Ok(OutboxMessage {
                    outlook,
                    ..outbox_view(row)
                })
            })
            .collect()
    }

    /// What will happen to a text still waiting to go: the gate (and the rendering) of send
    /// time, on current data, for the moment it is due (or now, if that has passed). `None` for a text that has gone or
    /// stopped, or is already with the provider.
    pub(crate) fn outlook(
        &self,
        m: &MessageRow,
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> Result<Option<Outlook>, EngineError> {
        if !matches!(m.status, MessageStatus::Planned | MessageStatus::RetryWait) {
            return Ok(None);
        }
        let due = m.send_at.map_or(now, |at| at.max(now));
        // The whole send-time path, rendering included: a text whose words can't be filled in
        // (no business phone) won't go either.
        let decision = match self.gate(m, settings, due, false)? {
            Ok(Gate::Send { .. }) => Decision::Send,
            Ok(Gate::Later(at)) => Decision::Later(at),
            Ok(Gate::Held(at)) => Decision::Held(at),
            Err(reason) => Decision::Suppress(reason),
        };
        Ok(Some(tidings_domain::gate::outlook(decision, due)))
    }

    /// Staff skip a planned text.
    pub fn skip_message(&self, id: i64, source: WriteSource) -> Result<OutboxMessage, EngineError> {
        let now = self.now();
        match self.store.transition(
            id,
            MessageStatus::Planned,
            MessageStatus::Suppressed,
            Some(SuppressReason::StaffCancelled.as_str()),
            None,
            now,
        ) {
            Ok(()) => {}
            Err(tidings_store::StoreError::Moved { .. }) => {
                return Err(bad_input(
                    "id",
                    "That text is no longer waiting to go; reload the list.",
                ))
            }
            Err(err) => return Err(err.into()),
        }
        self.publish(source, vec![Change::Messages]);
        self.outbox_message(id)
    }

    /// One message as the outbox shows it.
    pub fn outbox_message(&self, id: i64) -> Result<OutboxMessage, EngineError> {
        let row = self
            .store
            .message(id)?
            .ok_or_else(|| EngineError::NotFound("That text is gone.".into()))?;
        Ok(outbox_view(row))
    }

    /// Sends a planned text now, through the same gate as the scheduler.
    pub async fn send_now(
        &self,
        id: i64,
        source: WriteSource,
    ) -> Result<OutboxMessage, EngineError> {
        let now = self.now();
        let row = self
            .store
            .message(id)?
            .ok_or_else(|| EngineError::NotFound("That text is gone.".into()))?;
        if row.status != MessageStatus::Planned {
            return Err(bad_input(
                "id",
                "That text is no longer waiting to go; reload the list.",
            ));
        }
        self.store.transition(
            id,
            MessageStatus::Planned,
            MessageStatus::Planned,
            None,
            Some(now),
            now,
        )?;
        let mut report = TickReport::default();
        self.process(id, now, true, &mut report).await?;
        self.publish(source, vec![Change::Messages]);
        self.outbox_message(id)
    }

    /// One pass: claimed messages reconciled (once per process), replies read, every due text
    /// through the gate and to the provider, delivery reports asked for.
    pub async fn tick(&self) -> Result<TickReport, EngineError> {
        let now = self.now();
        let mut report = TickReport::default();
        if self.paused.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(report);
        }
        // Paused from the tray: nothing goes out, but replies are still read (a STOP is
        // honoured at once) and texts waiting at the provider are still taken back. Paused
        // because the provider refused us: nothing can be asked of it until that is fixed.
        let held = match self.sending_paused()? {
            None => false,
            Some(reason) if reason == crate::dispatch::PAUSED_BY_USER => true,
            Some(_) => return Ok(report),
        };
        // Every text a stopped process or an unclear answer left `sending` is checked with the
        // provider before anything new goes out (invariant 3).
        let reconciled = if held {
            Ok(0)
        } else {
            self.reconcile_claimed().await
        };
        match reconciled {
            Ok(_) => {}
            Err(EngineError::Provider(err)) => {
                // Nothing is sent until every claim is accounted for.
                tracing::warn!("claimed texts could not be checked with the provider: {err}");
                if matches!(
                    err,
                    ProviderError::CredentialsRejected | ProviderError::Unavailable(_)
                ) {
                    self.pause_sending(&err.to_string())?;
                }
                return Ok(report);
            }
            Err(err) => return Err(err),
        }
        match self.poll_inbound().await {
            Ok(received) => {
                self.poll_failures
                    .store(0, std::sync::atomic::Ordering::SeqCst);
                self.note_provider_answered()?;
                report.received = received
            }
            Err(EngineError::Provider(
                err @ (ProviderError::CredentialsRejected | ProviderError::Unavailable(_)),
            )) => {
                self.pause_sending(&err.to_string())?;
                return Ok(report);
            }
            Err(EngineError::Provider(err)) => {
                self.poll_failures
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if matches!(err, ProviderError::Transient { .. }) {
                    self.note_provider_silent()?;
                }
                tracing::warn!("replies could not be read this time: {err}");
            }
            Err(err) => return Err(err),
        }
        // Changes first: a handed-off text that is no longer wanted is cancelled at the
        // provider before anything new goes out.
        if let AfterFailure::Stop = self.process_cancellations().await? {
            return Ok(report);
        }
        if held {
            if let Err(err) = self.poll_delivery().await {
                tracing::warn!("delivery reports could not be read: {err}");
            }
            return Ok(report);
        }
        'pass: loop {
            let due = self.store.dispatchable(now, 100)?;
            if due.is_empty() {
                break;
            }
            for m in due {
                if let AfterFailure::Stop = self.process(m.id, now, false, &mut report).await? {
                    break 'pass;
                }
            }
        }
        if self.hands_off() {
            self.hand_off_ahead(now, &mut report).await?;
        }
        if let Err(err) = self.poll_delivery().await {
            tracing::warn!("delivery reports could not be read: {err}");
        }
        if !report.sent.is_empty() || !report.suppressed.is_empty() {
            self.publish(WriteSource::Background, vec![Change::Messages]);
        }
        Ok(report)
    }

    /// The gate (DESIGN invariants 2, 4, 5) and the send, for one due message.
    pub(crate) async fn process(
        &self,
        id: i64,
        now: DateTime<Utc>,
        by_staff: bool,
        report: &mut TickReport,
    ) -> Result<AfterFailure, EngineError> {
        self.process_as(id, now, None, by_staff, report).await
    }

    /// The gate and the send. With `ahead` (a hand-off), the gate judges the message as of its
    /// own send time and the provider holds it until then.
    pub(crate) async fn process_as(
        &self,
        id: i64,
        now: DateTime<Utc>,
        ahead: Option<DateTime<Utc>>,
        by_staff: bool,
        report: &mut TickReport,
    ) -> Result<AfterFailure, EngineError> {
        // One sender at a time per database (invariant 4), held from the claim to the settle.
        let lease = self.sender.acquire(crate::lease::LEASE_WAIT).await?;
        // Claimed in a committed transaction before anything else (invariant 3).
        if !self.store.claim(id, now)? {
            return Ok(AfterFailure::Continue);
        }
        let Some(m) = self.store.message(id)? else {
            return Ok(AfterFailure::Continue);
        };
        let judged_at = ahead.unwrap_or(now);
        let settings = self.settings()?;
        let item = |reason: Option<SuppressReason>| TickItem {
            message_id: m.id,
            appointment_id: m.appointment_id,
            rule_id: m.rule_id,
            to: m.to.clone(),
            reason,
        };
        match self.gate(&m, &settings, judged_at, by_staff)? {
            Err(reason) => {
                let status = if reason.cancels() {
                    MessageStatus::Cancelled
                } else {
                    MessageStatus::Suppressed
                };
                self.store.transition(
                    id,
                    MessageStatus::Sending,
                    status,
                    Some(reason.as_str()),
                    None,
                    now,
                )?;
                if matches!(
                    reason,
                    SuppressReason::AppointmentMoved | SuppressReason::NumberChanged
                ) {
                    if let Some(a) = m.appointment_id {
                        self.replan(a)?;
                    }
                }
                report.suppressed.push(item(Some(reason)));
            }
            Ok(Gate::Later(at)) => {
                self.store.transition(
                    id,
                    MessageStatus::Sending,
                    MessageStatus::Planned,
                    None,
                    Some(at),
                    now,
                )?;
            }
            Ok(Gate::Held(at)) => {
                // Not handed off ahead while held: its own time stays, and it is looked at again.
                self.store.transition(
                    id,
                    MessageStatus::Sending,
                    MessageStatus::Planned,
                    Some(HELD_FOR_REVIEW),
                    Some(ahead.unwrap_or(at)),
                    now,
                )?;
            }
            Ok(Gate::Send {
                body,
                version_id,
                language,
                cost,
            }) => {
                if m.reason.as_deref() == Some(HELD_FOR_REVIEW) {
                    self.store.clear_reason(id, HELD_FOR_REVIEW)?;
                }
                let ready = crate::outbox::Ready {
                    body: &body,
                    version_id,
                    language,
                    cost,
                    ahead,
                    // A handed-off text counts (for caps) from when it goes out.
                    sent_at: judged_at,
                };
                match self.deliver(&lease, &m, ready, now).await? {
                    Delivery::Sent => report.sent.push(item(None)),
                    Delivery::Unknown { .. } => {}
                    Delivery::NotSent { stop: true, .. } => return Ok(AfterFailure::Stop),
                    Delivery::NotSent { stop: false, .. } => report.suppressed.push(item(None)),
                }
            }
        }
        Ok(AfterFailure::Continue)
    }

    /// Loads what the gate needs, as it is now, and runs it (`tidings_domain::gate`); a text
    /// that may go is rendered. `Ok(Err(reason))` means: do not send.
    fn gate(
        &self,
        m: &MessageRow,
        settings: &Settings,
        now: DateTime<Utc>,
        by_staff: bool,
    ) -> Result<Result<Gate, SuppressReason>, EngineError> {
        let judged = self.judge(m, settings, now, by_staff)?;
        Ok(match judged.decision {
            Decision::Suppress(reason) => Err(reason),
            Decision::Later(at) => Ok(Gate::Later(at)),
            Decision::Held(at) => Ok(Gate::Held(at)),
            Decision::Send => {
                // What goes: a template filled in now for planned texts, the text as written
                // for the rest.
                let template = if m.follow_up {
                    self.store.template_by_key("follow_up_ask")?
                } else {
                    match &judged.rule {
                        Some(rule) => self.store.template(rule.template_id)?,
                        None => {
                            return Ok(Ok(Gate::Send {
                                body: m.body.clone(),
                                version_id: None,
                                language: None,
                                cost: segments(&m.body),
                            }))
                        }
                    }
                };
                match (template, &judged.appointment) {
                    (Some(template), Some(appointment)) => rendered(
                        &template,
                        settings,
                        appointment,
                        judged.zone,
                        judged.language,
                    ),
                    _ => Err(SuppressReason::RuleDisabled),
                }
            }
        })
    }

    /// The gate's decision for a message, on current data, and what rendering it needs.
    fn judge(
        &self,
        m: &MessageRow,
        settings: &Settings,
        now: DateTime<Utc>,
        by_staff: bool,
    ) -> Result<Judged, EngineError> {
        let client = match m.client_id {
            Some(id) => self.store.client(id)?,
            None => None,
        };
        let appointment = match m.appointment_id {
            Some(id) => self.store.appointment(id)?,
            None => None,
        };
        // Only a reminder has a rule (the one that planned it, if still on).
        let rule = match (m.rule_id, &m.direct_kind, m.notice_id, m.follow_up) {
            (Some(id), None, None, false) => self
                .store
                .rules()?
                .into_iter()
                .find(|r| r.id == id && r.enabled),
            _ => None,
        };
        let kind = if let Some(kind) = m.direct_kind.as_deref() {
            TextKind::Direct(kind)
        } else if let Some(notice_id) = m.notice_id {
            TextKind::Notice {
                urgent: self.store.notice_urgent(notice_id)?,
            }
        } else if m.follow_up {
            TextKind::FollowUp
        } else {
            TextKind::Reminder {
                rule: rule.as_ref().map(|r| RuleFacts {
                    min_lead_minutes: r.min_lead_minutes,
                    asks_confirmation: r.asks_confirmation,
                }),
                planned_for: m.planned_for,
                purpose: m.purpose,
            }
        };
        let counts_for_caps = matches!(kind, TextKind::Reminder { .. } | TextKind::FollowUp);
        let usage = match m.client_id {
            Some(id) if counts_for_caps => {
                let (last_day, last_week) = self.store.automated_sent_counts(
                    id,
                    now - Duration::hours(24),
                    now - Duration::days(7),
                )?;
                CapUsage {
                    last_day,
                    last_week,
                }
            }
            _ => CapUsage::default(),
        };
        let review_pending = m.direct_kind.is_none() && self.store.opt_out_review_pending(&m.to)?;
        let hours = Self::allowed_hours(
            settings,
            client.as_ref().and_then(|c| c.timezone.as_deref()),
        );
        let decision = decide(&Snapshot {
            now,
            kind,
            to: &m.to,
            send_at: m.send_at,
            by_staff,
            client: client.as_ref(),
            appointment: appointment.as_ref(),
            review_pending,
            hours: &hours,
            caps: &settings.caps,
            usage,
        });
        // The client's own language, else the business's.
        let language = client.as_ref().map_or_else(
            || settings.language(),
            |c| crate::inbound::client_language(c, settings),
        );
        Ok(Judged {
            decision,
            rule,
            appointment,
            zone: hours.zone,
            language,
        })
    }

    /// What changed while a text was on its way to the provider, applied once it settled as
    /// `status`: a text handed off for later whose gate now says no (the appointment cancelled
    /// or moved, a STOP, a YES that answers it, a new number) is taken back, at the provider
    /// too; and a moved appointment is planned again.
    pub(crate) fn after_settle(
        &self,
        m: &MessageRow,
        status: MessageStatus,
    ) -> Result<(), EngineError> {
        if status == MessageStatus::ScheduledAtProvider {
            let settings = self.settings()?;
            let judged_at = m.send_at.unwrap_or_else(|| self.now());
            // Caps count this text itself now; they were judged before it went.
            match self.judge(m, &settings, judged_at, false)?.decision {
                Decision::Suppress(reason) if reason != SuppressReason::Cap => {
                    let to = if reason.cancels() {
                        MessageStatus::Cancelled
                    } else {
                        MessageStatus::Suppressed
                    };
                    self.store.transition(
                        m.id,
                        MessageStatus::ScheduledAtProvider,
                        to,
                        Some(reason.as_str()),
                        None,
                        self.now(),
                    )?;
                    self.publish(WriteSource::Background, vec![Change::Messages]);
                }
                _ => {}
            }
        }
        self.replan_if_moved(m)
    }

    /// Plans a reminder's appointment again if it moved while the reminder was on its way (the
    /// planner leaves a rule alone while its reminder is in flight).
    pub(crate) fn replan_if_moved(&self, m: &MessageRow) -> Result<(), EngineError> {
        let (Some(appointment_id), Some(_)) = (m.appointment_id, m.rule_id) else {
            return Ok(());
        };
        match self.store.appointment(appointment_id)? {
            Some(a) if Some(a.starts_at) != m.planned_for => self.replan(appointment_id),
            _ => Ok(()),
        }
    }

    /// When the scheduler next has work: the earliest planned send.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, EngineError> {
        Ok(self.store.next_due()?)
    }
}

/// A template filled in for an appointment, ready to send, in `language` (English where the
/// template has no text in it); a template that no longer renders counts as a disabled rule.
/// Times are the appointment's own (where it takes place), not the reader's; `fallback` is the
/// zone when the appointment's is unknown.
fn rendered(
    template: &TemplateRow,
    settings: &Settings,
    appointment: &Appointment,
    fallback: chrono_tz::Tz,
    language: &'static Language,
) -> Result<Gate, SuppressReason> {
    let (text, translated) = template.text_in(language.code);
    let language = if translated { language } else { &ENGLISH };
    let ctx = RenderContext {
        language,
        minutes: None,
        client_name: appointment.client_name.clone(),
        business: settings.business_name.clone(),
        business_phone: settings.business_phone.clone(),
        style: tidings_domain::DateStyle::for_region(&settings.phone_region),
        starts_at: Some(appointment.starts_at),
        zone: appointment.timezone.parse().unwrap_or(fallback),
        service: appointment.service.clone(),
        staff: appointment.staff.clone(),
        location: appointment.location.clone(),
    };
    let body = match render(text, &ctx) {
        Ok(body) => body,
        Err(tidings_domain::TemplateError::NoBusinessPhone) => {
            return Err(SuppressReason::NoBusinessPhone)
        }
        Err(_) => return Err(SuppressReason::RuleDisabled),
    };
    let cost = segments(&body);
    Ok(Gate::Send {
        body,
        version_id: Some(template.version_id),
        language: Some(language.code),
        cost,
    })
}

/// The gate's decision, with what rendering a text that may go needs.
struct Judged {
    decision: Decision,
    /// The reminder's rule, when it is a reminder and the rule is on.
    rule: Option<RuleRow>,
    appointment: Option<Appointment>,
    /// The recipient's zone (a time in a text is the appointment's own, else this).
    zone: chrono_tz::Tz,
    /// The language the text is written in (the client's, else the business's).
    language: &'static Language,
}

enum Gate {
    Send {
        body: String,
        version_id: Option<i64>,
        /// The language a template was rendered in (`None` for a text as written).
        language: Option<&'static str>,
        cost: SegmentInfo,
    },
    Later(DateTime<Utc>),
    /// Waits for staff to review a possible opt-out; looks again at the time given.
    Held(DateTime<Utc>),
}

/// A text that has not gone yet and can still be changed or taken back: planned, waiting to
/// retry, or waiting at the provider until its time comes.
fn still_waiting(m: &MessageRow, now: DateTime<Utc>) -> bool {
    match m.status {
        MessageStatus::Planned | MessageStatus::RetryWait => true,
        MessageStatus::ScheduledAtProvider => m.send_at.is_some_and(|t| t > now),
        _ => false,
    }
}

/// What re-planning one appointment changes: the live texts to cancel (with why) and the
/// texts to add, from the appointment, all of its messages and the client's own zone. Pure, so
/// one appointment and a hundred thousand are planned the same way.
fn plan_appointment(
    appointment: &Appointment,
    messages: &[MessageRow],
    client_zone: Option<&str>,
    settings: &Settings,
    rules: &[RuleRow],
    now: DateTime<Utc>,
) -> Replan {
    // Texts planned for someone the appointment no longer belongs to (it was given to another
    // client, or the client's number changed) are not this plan's: waiting ones are taken
    // back, and what was decided for them decides nothing for the new recipient.
    let for_recipient = |m: &&MessageRow| {
        m.client_id == Some(appointment.client_id) && m.to == appointment.client_phone
    };
    let all_messages = messages;
    let messages: Vec<&MessageRow> = all_messages.iter().filter(for_recipient).collect();
    let stale: Vec<(i64, &'static str)> = all_messages
        .iter()
        .filter(|m| !for_recipient(m) && !m.follow_up && still_waiting(m, now))
        .map(|m| (m.id, SuppressReason::NumberChanged.as_str()))
        .collect();
    let live: Vec<&MessageRow> = messages
        .iter()
        .copied()
        .filter(|m| !m.follow_up && still_waiting(m, now))
        .collect();
    let mut cancel: Vec<(i64, &'static str)> = stale;
    let mut retime = Vec::new();
    let mut add = Vec::new();
    if !appointment.status.is_live() || appointment.starts_at <= now {
        let reason = if appointment.status == AppointmentStatus::Cancelled {
            SuppressReason::AppointmentCancelled.as_str()
        } else {
            "appointment_over"
        };
        cancel.extend(live.iter().map(|m| (m.id, reason)));
        return Replan {
            cancel,
            retime,
            add,
        };
    }
    let hours = Engine::allowed_hours(settings, client_zone);
    let timings: Vec<RuleTiming> = rules
        .iter()
        .map(|r| RuleTiming {
            rule_id: r.id,
            offset_minutes: r.offset_minutes,
            min_lead_minutes: r.min_lead_minutes,
        })
        .collect();
    let by_rule: HashMap<i64, &MessageRow> = live
        .iter()
        .filter_map(|m| m.rule_id.map(|r| (r, *m)))
        .collect();
    for m in &live {
        if m.rule_id
            .is_some_and(|r| !rules.iter().any(|rule| rule.id == r))
        {
            cancel.push((m.id, SuppressReason::RuleDisabled.as_str()));
        }
    }
    for plan in plan_reminders(appointment.starts_at, &timings, &hours, now) {
        let rule_id = match plan {
            Planned::Send { rule_id, .. } | Planned::Suppress { rule_id, .. } => rule_id,
        };
        // A reminder that asks to confirm has nothing to ask once the customer confirmed: taken
        // back (at the provider too, if handed off) and shown as not needed.
        let plan = if appointment.status == AppointmentStatus::Confirmed
            && rules.iter().any(|r| r.id == rule_id && r.asks_confirmation)
        {
            Planned::Suppress {
                rule_id,
                reason: SuppressReason::AlreadyConfirmed,
            }
        } else {
            plan
        };
        let current = by_rule.get(&rule_id);
        // A reminder of this rule on its way to the provider (claimed, or handed off and due)
        // is the one live reminder the rule may have: the new time is planned once it settles
        // (`replan_if_moved`).
        // (Whoever it is addressed to: one live text per rule and appointment.)
        let in_flight = all_messages.iter().any(|m| {
            m.rule_id == Some(rule_id)
                && (m.status == MessageStatus::Sending
                    || (m.status == MessageStatus::ScheduledAtProvider
                        && !live.iter().any(|l| l.id == m.id)))
        });
        // Something already decided for this start (sent, skipped, suppressed) stands.
        let decided = messages.iter().any(|m| {
            m.rule_id == Some(rule_id)
                && m.planned_for == Some(appointment.starts_at)
                && !matches!(
                    m.status,
                    MessageStatus::Planned | MessageStatus::RetryWait | MessageStatus::Cancelled
                )
                && !live.iter().any(|l| l.id == m.id)
        });
        match plan {
            Planned::Send { send_at, .. } => {
                if decided {
                    // Already sent for this time: a waiting copy (a restore can leave one) never
                    // goes.
                    let went = messages.iter().any(|m| {
                        m.rule_id == Some(rule_id)
                            && m.planned_for == Some(appointment.starts_at)
                            && (m.provider_id.is_some()
                                || matches!(
                                    m.status,
                                    MessageStatus::Sent
                                        | MessageStatus::Delivered
                                        | MessageStatus::Undelivered
                                ))
                    });
                    if let (true, Some(m)) = (went, current) {
                        cancel.push((m.id, SuppressReason::Superseded.as_str()));
                    }
                    continue;
                }
                if let Some(m) = current {
                    if m.send_at == Some(send_at) && m.planned_for == Some(appointment.starts_at) {
                        continue;
                    }
                    // The same reminder at a new time (the rule's timing or the quiet hours
                    // changed): still waiting here, so its time is changed in place.
                    if m.planned_for == Some(appointment.starts_at)
                        && m.status == MessageStatus::Planned
                    {
                        retime.push((m.id, send_at));
                        continue;
                    }
                    let reason = if m.planned_for != Some(appointment.starts_at) {
                        SuppressReason::AppointmentMoved
                    } else {
                        SuppressReason::QuietHoursMissed
                    };
                    cancel.push((m.id, reason.as_str()));
                }
                if in_flight {
                    continue;
                }
                add.push(NewPlannedMessage {
                    client_id: appointment.client_id,
                    appointment_id: appointment.id,
                    rule_id,
                    purpose: Purpose::Service,
                    to: appointment.client_phone.clone(),
                    planned_for: appointment.starts_at,
                    send_at: Some(send_at),
                    reason: None,
                });
            }
            Planned::Suppress { reason, .. } => {
                if let Some(m) = current {
                    cancel.push((m.id, reason.as_str()));
                }
                if decided
                    || messages.iter().any(|m| {
                        m.rule_id == Some(rule_id)
                            && m.planned_for == Some(appointment.starts_at)
                            && m.status == MessageStatus::Suppressed
                    })
                {
                    continue;
                }
                add.push(NewPlannedMessage {
                    client_id: appointment.client_id,
                    appointment_id: appointment.id,
                    rule_id,
                    purpose: Purpose::Service,
                    to: appointment.client_phone.clone(),
                    planned_for: appointment.starts_at,
                    send_at: None,
                    reason: Some(reason.as_str().to_owned()),
                });
            }
        }
    }
    Replan {
        cancel,
        retime,
        add,
    }
}

/// What re-planning changes: live texts to cancel (with why), waiting texts whose send time
/// moves, and texts to add.
#[derive(Debug, Default)]
struct Replan {
    cancel: Vec<(i64, &'static str)>,
    retime: Vec<(i64, DateTime<Utc>)>,
    add: Vec<NewPlannedMessage>,
}
