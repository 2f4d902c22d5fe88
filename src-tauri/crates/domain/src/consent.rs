//! Consent: per purpose, never implied by another purpose, proven by an append-only ledger.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a text is for. Consent to one never implies consent to the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Purpose {
    /// Appointment reminders, status updates, replies: texts about the customer's own business.
    Service,
    /// Offers and news.
    Marketing,
}

impl Purpose {
    pub const ALL: [Purpose; 2] = [Purpose::Service, Purpose::Marketing];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Marketing => "marketing",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ConsentAction {
    Granted,
    Revoked,
}

impl ConsentAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Granted, Self::Revoked]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// How the consent or opt-out reached the business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ConsentChannel {
    FrontDeskVerbal,
    PaperForm,
    WebForm,
    SmsKeyword,
    ProviderReport,
    Import,
}

impl ConsentChannel {
    pub const ALL: [ConsentChannel; 6] = [
        Self::FrontDeskVerbal,
        Self::PaperForm,
        Self::WebForm,
        Self::SmsKeyword,
        Self::ProviderReport,
        Self::Import,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FrontDeskVerbal => "front_desk_verbal",
            Self::PaperForm => "paper_form",
            Self::WebForm => "web_form",
            Self::SmsKeyword => "sms_keyword",
            Self::ProviderReport => "provider_report",
            Self::Import => "import",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text.trim())
    }

    /// The channels a person may record by hand (the others are recorded by the engine).
    pub fn is_manual(self) -> bool {
        matches!(
            self,
            Self::FrontDeskVerbal | Self::PaperForm | Self::WebForm
        )
    }
}

/// A client's consent for one purpose right now: the latest ledger event, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ConsentState {
    Granted,
    Revoked,
    #[default]
    None,
}

/// Current consent per purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct ConsentSummary {
    pub service: ConsentState,
    pub marketing: ConsentState,
}

impl ConsentSummary {
    pub fn get(&self, purpose: Purpose) -> ConsentState {
        match purpose {
            Purpose::Service => self.service,
            Purpose::Marketing => self.marketing,
        }
    }

    /// The state the ledger shows: for each purpose, its newest event decides.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a ConsentEvent>) -> Self {
        let mut newest: [Option<&ConsentEvent>; 2] = [None, None];
        for event in events {
            let slot = &mut newest[event.purpose as usize];
            if slot.is_none_or(|current| event.id > current.id) {
                *slot = Some(event);
            }
        }
        let state = |e: Option<&ConsentEvent>| match e.map(|e| e.action) {
            Some(ConsentAction::Granted) => ConsentState::Granted,
            Some(ConsentAction::Revoked) => ConsentState::Revoked,
            None => ConsentState::None,
        };
        Self {
            service: state(newest[0]),
            marketing: state(newest[1]),
        }
    }
}

/// One entry of the consent ledger. Never changed once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConsentEvent {
    pub id: i64,
    pub client_id: i64,
    pub purpose: Purpose,
    pub action: ConsentAction,
    pub channel: ConsentChannel,
    /// The exact words the customer was shown or read.
    pub disclosure_text: String,
    pub disclosure_version: u32,
    /// Who recorded it: a staff name, or "engine" for keywords and provider reports.
    pub recorded_by: String,
    /// When the customer gave or withdrew consent.
    pub occurred_at: DateTime<Utc>,
    /// When it was entered into Tidings.
    pub recorded_at: DateTime<Utc>,
    /// Anything that backs it up: form number, web form id, import source.
    pub evidence: Option<String>,
    /// The text that caused it, for keywords.
    pub message_id: Option<i64>,
}

/// The words shown to a customer when asking for consent to one purpose; versioned, never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Disclosure {
    pub purpose: Purpose,
    pub version: u32,
    /// With `{business}` where the business name goes.
    pub template: String,
    pub created_at: DateTime<Utc>,
}

impl Disclosure {
    /// The disclosure as the customer sees it.
    pub fn render(&self, business_name: &str) -> String {
        let name = if business_name.trim().is_empty() {
            "We"
        } else {
            business_name
        };
        self.template.replace("{business}", name)
    }
}

/// Consent or an opt-out, as staff record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConsentInput {
    pub client_id: i64,
    pub purpose: Purpose,
    pub action: ConsentAction,
    pub channel: ConsentChannel,
    pub recorded_by: String,
    /// When it happened, if not now (a paper form signed last week).
    #[ts(optional)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[ts(optional)]
    pub evidence: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(id: i64, purpose: Purpose, action: ConsentAction) -> ConsentEvent {
        ConsentEvent {
            id,
            client_id: 1,
            purpose,
            action,
            channel: ConsentChannel::PaperForm,
            disclosure_text: "text".into(),
            disclosure_version: 1,
            recorded_by: "Sam".into(),
            occurred_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            recorded_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            evidence: None,
            message_id: None,
        }
    }

    #[test]
    fn the_newest_event_per_purpose_decides_and_purposes_stay_apart() {
        use ConsentAction::*;
        use Purpose::*;
        assert_eq!(ConsentSummary::from_events([]), ConsentSummary::default());

        let events = [
            event(1, Service, Granted),
            event(2, Marketing, Granted),
            event(3, Marketing, Revoked),
        ];
        let s = ConsentSummary::from_events(&events);
        assert_eq!(s.service, ConsentState::Granted);
        assert_eq!(s.marketing, ConsentState::Revoked);

        // Order of the slice does not matter: the id (ledger order) does.
        let shuffled = [events[2].clone(), events[0].clone(), events[1].clone()];
        assert_eq!(ConsentSummary::from_events(&shuffled), s);

        // Marketing consent never implies service consent.
        let only_marketing = [event(7, Marketing, Granted)];
        let s = ConsentSummary::from_events(&only_marketing);
        assert_eq!(s.service, ConsentState::None);
        assert_eq!(s.get(Marketing), ConsentState::Granted);
    }

    #[test]
    fn disclosures_name_the_business() {
        let d = Disclosure {
            purpose: Purpose::Service,
            version: 2,
            template: "{business} will text you about appointments.".into(),
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(
            d.render("Harbour Hair"),
            "Harbour Hair will text you about appointments."
        );
    }

    #[test]
    fn names_round_trip() {
        for c in ConsentChannel::ALL {
            assert_eq!(ConsentChannel::parse(c.as_str()), Some(c));
        }
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(ConsentChannel::parse("carrier pigeon"), None);
    }
}
