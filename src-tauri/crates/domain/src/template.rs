//! Message templates: a fixed set of variables, refused at save when misspelled, rendered in
//! the appointment's own time zone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::consent::Purpose;

/// What a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum TemplateKind {
    Reminder,
    ConfirmationReply,
    RescheduleReply,
    HelpReply,
    OptOutConfirmation,
    OptInConfirmation,
    HoldingReply,
    FollowUp,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 8] = [
        Self::Reminder,
        Self::ConfirmationReply,
        Self::RescheduleReply,
        Self::HelpReply,
        Self::OptOutConfirmation,
        Self::OptInConfirmation,
        Self::HoldingReply,
        Self::FollowUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::ConfirmationReply => "confirmation_reply",
            Self::RescheduleReply => "reschedule_reply",
            Self::HelpReply => "help_reply",
            Self::OptOutConfirmation => "opt_out_confirmation",
            Self::OptInConfirmation => "opt_in_confirmation",
            Self::HoldingReply => "holding_reply",
            Self::FollowUp => "follow_up",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Follow-ups invite customers back; everything else is about their own business.
    pub fn purpose(self) -> Purpose {
        match self {
            Self::FollowUp => Purpose::Marketing,
            _ => Purpose::Service,
        }
    }
}

/// The variables a template may use, in the order the editor's palette shows them.
pub const VARIABLES: [&str; 10] = [
    "first_name",
    "business",
    "date",
    "time",
    "weekday",
    "service",
    "staff",
    "location",
    "business_phone",
    "minutes",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("Write the text of the message.")]
    Empty,
    #[error("{{{name}}} is not a variable we know{}. Use one of: {}.", suggestion.as_ref().map(|s| format!(" (did you mean {{{s}}}?)")).unwrap_or_default(), VARIABLES.map(|v| format!("{{{v}}}")).join(", "))]
    UnknownVariable {
        name: String,
        suggestion: Option<String>,
    },
    #[error("A {{ is never closed. Variables look like {{first_name}}.")]
    Unclosed,
    #[error("The text is {0} characters; keep it under 640 (four segments).")]
    TooLong(usize),
    /// `{business_phone}` with no business phone set: the text would read "Call  for help."
    #[error("This text gives customers your business phone, and none is set. Add it in Settings, under Business.")]
    NoBusinessPhone,
}

/// How a region writes a date and a time in a text: "14 March at 09:00" or "March 14 at
/// 9:00 AM". From CLDR's preferences for English in each region (the hour cycle of its
/// `timeData`, month-first where its medium date pattern puts the month first); written out
/// here because a CLDR library would triple the app's size for two choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateStyle {
    /// "2:30 PM" rather than "14:30".
    pub twelve_hour: bool,
    /// "March 14" rather than "14 March".
    pub month_first: bool,
}

/// Regions whose preferred clock is 12-hour (CLDR `timeData`, preferred "h").
pub const TWELVE_HOUR_REGIONS: &[&str] = &[
    "AE", "AU", "BD", "BH", "CA", "CO", "EG", "IN", "JO", "KW", "MX", "MY", "NZ", "OM", "PH", "PK",
    "PR", "QA", "SA", "US",
];
/// Regions that write the month before the day in English.
pub const MONTH_FIRST_REGIONS: &[&str] = &["CA", "PH", "PR", "US"];

impl DateStyle {
    /// The style of a phone region (ISO 3166 code, e.g. "US"); 24-hour and day-first elsewhere.
    pub fn for_region(region: &str) -> Self {
        let region = region.trim().to_ascii_uppercase();
        DateStyle {
            twelve_hour: TWELVE_HOUR_REGIONS.contains(&region.as_str()),
            month_first: MONTH_FIRST_REGIONS.contains(&region.as_str()),
        }
    }
}

fn tokens(body: &str) -> Result<Vec<Token<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        out.push(Token::Text(&rest[..open]));
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(TemplateError::Unclosed)?;
        out.push(Token::Var(&after[..close]));
        rest = &after[close + 1..];
    }
    out.push(Token::Text(rest));
    Ok(out)
}

enum Token<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// Checks a template before it is saved: every variable must be one we know.
pub fn check_template(body: &str) -> Result<(), TemplateError> {
    if body.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    let chars = body.chars().count();
    if chars > 640 {
        return Err(TemplateError::TooLong(chars));
    }
    for token in tokens(body)? {
        if let Token::Var(name) = token {
            let name = name.trim();
            if !VARIABLES.contains(&name) {
                let suggestion = VARIABLES
                    .iter()
                    .map(|v| (strsim::damerau_levenshtein(&name.to_lowercase(), v), *v))
                    .filter(|(d, _)| *d <= 3)
                    .min()
                    .map(|(_, v)| v.to_owned());
                return Err(TemplateError::UnknownVariable {
                    name: name.to_owned(),
                    suggestion,
                });
            }
        }
    }
    Ok(())
}

/// Whether the text tells the customer how to stop.
pub fn has_stop_hint(body: &str) -> bool {
    let upper = body.to_uppercase();
    // The opt-out keyword named in any language customers are texted in.
    ["STOP", "ALTO"].iter().any(|k| upper.contains(k))
}

/// What a template is rendered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderContext {
    pub client_name: String,
    pub business: String,
    pub business_phone: String,
    pub starts_at: Option<DateTime<Utc>>,
    /// The appointment's zone (the client's own when set).
    pub zone: chrono_tz::Tz,
    pub service: Option<String>,
    pub staff: Option<String>,
    pub location: String,
    /// For "running late by {minutes} minutes".
    pub minutes: Option<u32>,
    /// How dates and times are written (the business's region).
    pub style: DateStyle,
    /// The language of the text: its words for dates, and for what is missing.
    pub language: &'static crate::language::Language,
}

/// The text a customer receives. Missing values read naturally ("your appointment").
pub fn render(body: &str, ctx: &RenderContext) -> Result<String, TemplateError> {
    check_template(body)?;
    let local = ctx.starts_at.map(|t| t.with_timezone(&ctx.zone));
    let lang = ctx.language;
    let mut out = String::new();
    for token in tokens(body)? {
        match token {
            Token::Text(t) => out.push_str(t),
            Token::Var(name) => out.push_str(&match name.trim() {
                "first_name" => ctx
                    .client_name
                    .split_whitespace()
                    .next()
                    .unwrap_or(lang.fallback_name)
                    .to_owned(),
                "business" => ctx.business.clone(),
                "business_phone" if ctx.business_phone.trim().is_empty() => {
                    return Err(TemplateError::NoBusinessPhone)
                }
                "business_phone" => ctx.business_phone.clone(),
                "date" => local.map(|t| lang.date(&t, ctx.style)).unwrap_or_default(),
                "time" => local.map(|t| lang.time(&t, ctx.style)).unwrap_or_default(),
                "weekday" => local
                    .map(|t| lang.weekday(&t).to_owned())
                    .unwrap_or_default(),
                "service" => ctx
                    .service
                    .clone()
                    .unwrap_or_else(|| lang.fallback_service.into()),
                "staff" => ctx
                    .staff
                    .clone()
                    .unwrap_or_else(|| lang.fallback_staff.into()),
                "location" => {
                    if ctx.location.is_empty() {
                        ctx.business.clone()
                    } else {
                        ctx.location.clone()
                    }
                }
                "minutes" => ctx
                    .minutes
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| lang.fallback_minutes.into()),
                _ => String::new(),
            }),
        }
    }
    Ok(out)
}

/// The answer to HELP while no business phone is set: carriers require HELP to be answered,
/// so it goes without the "call us" sentence rather than not at all (Today asks for the phone).
pub const HELP_WITHOUT_PHONE: &str =
    "{business}: appointment texts. Msg frequency varies. Msg & data rates may apply. Reply STOP to opt out.";
/// The same, in Spanish.
pub const HELP_WITHOUT_PHONE_ES: &str =
    "{business}: mensajes sobre sus citas. La frecuencia varía. Pueden aplicarse tarifas de mensajes y datos. Responda ALTO para darse de baja.";

/// The texts Tidings ships with: one task per text — context, action, benefit.
pub fn default_body(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::Reminder => "{business}: your {service} is on {weekday} {date} at {time}. Reply YES to confirm or NO to change it. Reply STOP to opt out.",
        TemplateKind::ConfirmationReply => "Thanks {first_name}, you're confirmed for {weekday} at {time}. See you then!",
        TemplateKind::RescheduleReply => "Thanks {first_name}, we'll text you shortly to find a new time. You can also call {business_phone}.",
        TemplateKind::HelpReply => "{business}: appointment texts. Msg frequency varies. Msg & data rates may apply. Call {business_phone} for help. Reply STOP to opt out.",
        TemplateKind::OptOutConfirmation => "{business}: you won't get any more texts from us. Reply START to opt back in.",
        TemplateKind::OptInConfirmation => "{business}: you'll get appointment texts again. Reply STOP to opt out.",
        // Promises nothing Tidings can't keep: it knows no opening hours.
        TemplateKind::HoldingReply => "Thanks for your message. Someone at {business} will get back to you as soon as they can.",
        TemplateKind::FollowUp => "Thanks for visiting {business}, {first_name}! Book your next {service} any time: {business_phone}. Reply STOP to opt out.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn unknown_and_misspelled_variables_are_named() {
        assert!(check_template(default_body(TemplateKind::Reminder)).is_ok());
        let err = check_template("Hi {frist_name}, see you at {time}").unwrap_err();
        assert_eq!(
            err,
            TemplateError::UnknownVariable {
                name: "frist_name".into(),
                suggestion: Some("first_name".into())
            }
        );
        assert!(
            err.to_string().contains("did you mean {first_name}"),
            "{err}"
        );
        assert!(matches!(
            check_template("Hi {colour}"),
            Err(TemplateError::UnknownVariable {
                suggestion: None,
                ..
            })
        ));
        assert_eq!(
            check_template("Hi {first_name"),
            Err(TemplateError::Unclosed)
        );
        assert_eq!(check_template("  "), Err(TemplateError::Empty));
    }

    #[test]
    fn times_render_in_the_appointments_zone() {
        let ctx = RenderContext {
            minutes: None,
            client_name: "Ann Lee".into(),
            business: "Quay Clinic".into(),
            business_phone: "+1 415 555 0100".into(),
            // 13:00 UTC on the US spring-forward day is 09:00 in New York.
            starts_at: Some(Utc.with_ymd_and_hms(2027, 3, 14, 13, 0, 0).unwrap()),
            zone: chrono_tz::America::New_York,
            service: None,
            staff: Some("Sam".into()),
            location: String::new(),
            style: DateStyle::for_region("GB"),
            language: &crate::language::ENGLISH,
        };
        assert_eq!(
            render(
                "Hi {first_name}: {service} with {staff}, {weekday} {date} at {time}, {location}.",
                &ctx
            )
            .unwrap(),
            "Hi Ann: appointment with Sam, Sunday 14 March at 09:00, Quay Clinic."
        );
        // A US business writes it the American way; the zone is the same.
        let us = RenderContext {
            style: DateStyle::for_region("us"),
            ..ctx.clone()
        };
        assert_eq!(
            render("{weekday} {date} at {time}", &us).unwrap(),
            "Sunday March 14 at 9:00 AM"
        );
        let afternoon = RenderContext {
            starts_at: Some(Utc.with_ymd_and_hms(2027, 3, 14, 18, 30, 0).unwrap()),
            ..us.clone()
        };
        assert_eq!(render("{time}", &afternoon).unwrap(), "2:30 PM");
        assert_eq!(
            render(
                "{time}",
                &RenderContext {
                    style: DateStyle::for_region("GB"),
                    ..afternoon
                }
            )
            .unwrap(),
            "14:30"
        );
        // In Spanish, with Spanish words for what is missing.
        let es = RenderContext {
            language: &crate::language::SPANISH,
            service: None,
            ..ctx.clone()
        };
        assert_eq!(
            render("Su {service} es el {weekday} {date} a las {time}.", &es).unwrap(),
            "Su cita es el domingo 14 de marzo a las 09:00."
        );
        assert_eq!(
            render(
                "{time}",
                &RenderContext {
                    language: &crate::language::SPANISH,
                    starts_at: Some(Utc.with_ymd_and_hms(2027, 3, 14, 18, 30, 0).unwrap()),
                    ..us.clone()
                }
            )
            .unwrap(),
            "2:30 p. m."
        );

        // No business phone: the text is refused, never sent as "Call  for help."
        let no_phone = RenderContext {
            business_phone: " ".into(),
            ..ctx.clone()
        };
        assert_eq!(
            render(default_body(TemplateKind::HelpReply), &no_phone),
            Err(TemplateError::NoBusinessPhone)
        );
        assert!(render(default_body(TemplateKind::Reminder), &no_phone).is_ok());

        assert!(has_stop_hint(default_body(TemplateKind::Reminder)));
        for kind in TemplateKind::ALL {
            assert!(check_template(default_body(kind)).is_ok(), "{kind:?}");
        }
    }
}
