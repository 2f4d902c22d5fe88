//! Rendering a template for an appointment at send time, in the recipient's language.

use tidings_domain::language::{Language, ENGLISH};
use tidings_domain::planner::SuppressReason;
use tidings_domain::template::{render, RenderContext};
use tidings_domain::{segments, Appointment, Settings};
use tidings_store::TemplateRow;

use crate::gate::Gate;

/// A template filled in for an appointment, ready to send, in `language` (English where the
/// template has no text in it); a template that no longer renders counts as a disabled rule.
/// Times are the appointment's own (where it takes place), not the reader's; `fallback` is the
/// zone when the appointment's is unknown.
pub(crate) fn rendered(
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
