//! Who an event is for: client, phone and service from its attendees, description and title.

use super::ics::IcsRules;
use crate::phone::parse_phone;

/// The first phone number in free text ("Cut & colour – Ann 07400 123456").
pub(super) fn phone_in_text(text: &str, region: &str) -> Option<(String, String)> {
    let mut candidates = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit()
            || (matches!(c, '+' | ' ' | '-' | '(' | ')' | '.') && !current.is_empty())
            || (matches!(c, '+' | '(') && current.is_empty())
        {
            current.push(c);
        } else {
            if current.chars().filter(char::is_ascii_digit).count() >= 7 {
                candidates.push(current.trim().to_owned());
            }
            current.clear();
        }
    }
    candidates
        .into_iter()
        .find_map(|c| parse_phone(&c, region).ok().map(|p| (p, c)))
}

/// How an event's title names the appointment, when nothing else says who the client is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum TitleRule {
    /// "Haircut - Maria Lopez": the service, then the client (what most desks type).
    #[default]
    ServiceThenName,
    /// "Maria Lopez - Haircut".
    NameThenService,
    /// The whole title is the client's name.
    NameOnly,
}

/// Who an event is for, and where each part was read.
#[derive(Debug, Default, Clone)]
pub(super) struct Who {
    pub(super) name: String,
    pub(super) phone: Option<String>,
    pub(super) service: Option<String>,
    pub(super) read_from: Vec<String>,
}

/// A "Label: value" line of an event's description ("Client: Ann Lee", "Teléfono: …").
fn described(description: &str, labels: &[&str]) -> Option<String> {
    description.lines().find_map(|line| {
        let (label, value) = line.split_once(':')?;
        let label = crate::import::normalise_header(label);
        let value = value.trim();
        (labels.contains(&label.as_str()) && !value.is_empty()).then(|| value.to_owned())
    })
}

/// Text with a phone number taken out, and the separators left at its ends trimmed.
fn without(text: &str, raw: &str) -> String {
    text.replace(raw, " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| c.is_whitespace() || "-–—,:|·/".contains(c))
        .to_owned()
}

/// Reads the client, phone and service of an event: an ATTENDEE (its CN, a `tel:` address),
/// then "Client:" / "Phone:" / "Service:" lines of the description, then the title by `rules`.
/// A phone is never left inside a name.
pub(super) fn who(
    summary: &str,
    description: &str,
    attendees: &[icalendar::Property],
    organizer: Option<&str>,
    region: &str,
    rules: &IcsRules<'_>,
) -> Who {
    let mut who = Who::default();
    let mut title = summary.to_owned();
    // Attendees other than the calendar's owner: with `tel:` they give the phone; with a
    // name (CN) the client, when there is exactly one such guest.
    let guests: Vec<&icalendar::Property> = attendees
        .iter()
        .filter(|a| {
            let value = a.value().trim();
            organizer.is_none_or(|o| !value.eq_ignore_ascii_case(o.trim()))
                && a.params().get("ROLE").is_none_or(|r| r.value() != "CHAIR")
        })
        .collect();
    for a in &guests {
        let value = a.value().trim();
        let tel = value
            .strip_prefix("tel:")
            .or_else(|| value.strip_prefix("TEL:"));
        if let Some(phone) = tel.and_then(|t| parse_phone(t, region).ok()) {
            who.phone = Some(phone);
            who.read_from.push("phone: attendee".into());
            if let Some(cn) = a.params().get("CN") {
                who.name = cn.value().trim_matches('"').trim().to_owned();
            }
            break;
        }
    }
    if who.name.is_empty() && guests.len() == 1 {
        if let Some(cn) = guests[0].params().get("CN") {
            who.name = cn.value().trim_matches('"').trim().to_owned();
        }
    }
    if !who.name.is_empty() {
        who.read_from.insert(0, "name: attendee".into());
    }
    if who.name.is_empty() {
        if let Some(name) = described(
            description,
            &[
                "client", "customer", "name", "patient", "cliente", "nombre", "paciente",
            ],
        ) {
            who.name = name;
            who.read_from.insert(0, "name: description".into());
        }
    }
    if who.phone.is_none() {
        let line = described(
            description,
            &[
                "phone",
                "mobile",
                "cell",
                "tel",
                "telephone",
                "telefono",
                "movil",
                "celular",
            ],
        );
        if let Some(phone) = line.and_then(|l| parse_phone(&l, region).ok()) {
            who.phone = Some(phone);
            who.read_from.push("phone: description".into());
        }
    }
    // A number in the title is read (if none was found) and never kept in a name.
    if let Some((phone, raw)) = phone_in_text(&title, region) {
        title = without(&title, &raw);
        if who.phone.is_none() {
            who.phone = Some(phone);
            who.read_from.push("phone: title".into());
        }
    }
    if who.phone.is_none() {
        if let Some((phone, _)) = phone_in_text(description, region) {
            who.phone = Some(phone);
            who.read_from.push("phone: description".into());
        }
    }
    if let Some(service) = described(
        description,
        &["service", "treatment", "servicio", "tratamiento"],
    ) {
        who.service = Some(service);
        who.read_from.push("service: description".into());
    }
    // The title: "Service - Name" (or the rule the desk chose); a part naming one of the
    // desk's services is the service whichever side it is on.
    let parts: Vec<String> = [" - ", " – ", " — ", ": ", " | "]
        .iter()
        .find_map(|sep| {
            let (a, b) = title.split_once(sep)?;
            let (a, b) = (a.trim(), b.trim());
            (!a.is_empty() && !b.is_empty()).then(|| vec![a.to_owned(), b.to_owned()])
        })
        .unwrap_or_else(|| vec![title.clone()]);
    let known = |part: &str| rules.services.iter().any(|s| s.eq_ignore_ascii_case(part));
    let (service_part, name_part) = match (parts.as_slice(), rules.title) {
        ([a, b], _) if known(a) => (Some(a.clone()), b.clone()),
        ([a, b], _) if known(b) => (Some(b.clone()), a.clone()),
        ([a, b], TitleRule::ServiceThenName) => (Some(a.clone()), b.clone()),
        ([a, b], TitleRule::NameThenService) => (Some(b.clone()), a.clone()),
        _ => (None, title.clone()),
    };
    if who.service.is_none() {
        if let Some(service) = service_part.filter(|s| !s.is_empty()) {
            who.service = Some(service);
            who.read_from.push("service: title".into());
        }
    }
    if who.name.is_empty() && !name_part.is_empty() {
        who.name = name_part;
        who.read_from.insert(0, "name: title".into());
    }
    who
}
