//! Shipped templates and template CRUD: reading, saving, restoring and previewing wording.

use std::collections::BTreeMap;

use chrono::Duration;
use tidings_domain::language::ENGLISH;
use tidings_domain::template::{
    check_template, default_body, has_stop_hint, render, RenderContext,
};
use tidings_domain::{segments, Change, TemplateKind, WriteSource};

use crate::error::bad_input;
use crate::reminders::{Template, TemplatePreview, TemplateVersion};
use crate::{Engine, EngineError};

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
}
