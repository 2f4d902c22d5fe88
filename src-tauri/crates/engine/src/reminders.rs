//! Templates, reminder rules and presets, the outbox, and the scheduler's pass.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use tidings_domain::{Encoding, Purpose, SegmentInfo, SuppressReason, TemplateKind};

/// A template with its current wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Template {
    pub id: i64,
    /// Stable name, e.g. "reminder_confirm".
    pub key: String,
    pub kind: TemplateKind,
    pub name: String,
    pub purpose: Purpose,
    pub version: u32,
    pub version_id: i64,
    /// The English text.
    pub body: String,
    /// The text in each other language it has ("es"), of the same version; a language
    /// without one gets the English.
    pub translations: std::collections::BTreeMap<String, String>,
    pub updated_at: DateTime<Utc>,
}

/// One saved wording of a template. Never changed once saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TemplateVersion {
    pub id: i64,
    pub template_id: i64,
    pub version: u32,
    pub body: String,
    pub translations: std::collections::BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// What a template looks like to a customer, and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TemplatePreview {
    /// Rendered against the next upcoming appointment (or a sample when there is none).
    pub text: String,
    /// Whose appointment the preview uses, or "Sample" when none is booked.
    pub sample_of: String,
    pub segments: SegmentInfo,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReminderRule {
    pub id: i64,
    pub name: String,
    pub offset_minutes: u32,
    pub min_lead_minutes: u32,
    pub template_id: i64,
    pub template_name: String,
    /// Asks the client to reply YES or NO.
    pub asks_confirmation: bool,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReminderRuleInput {
    #[ts(optional)]
    pub id: Option<i64>,
    pub name: String,
    pub offset_minutes: u32,
    pub min_lead_minutes: u32,
    pub template_id: i64,
    pub asks_confirmation: bool,
    pub enabled: bool,
}

/// The one-click reminder setups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Preset {
    /// 24 h before asking YES/NO, and 2 h before.
    Standard,
    /// 48 h and 24 h before; at most 1 text a day and 3 a week.
    Clinic,
    /// 24 h before only.
    Light,
}

impl Preset {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "standard" => Some(Self::Standard),
            "clinic" => Some(Self::Clinic),
            "light" => Some(Self::Light),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PresetInfo {
    pub preset: Preset,
    pub name: String,
    pub description: String,
}

pub use tidings_domain::gate::Outlook;
pub use tidings_domain::MessageStatus;

/// A text in the outbox: planned, sent or suppressed, with the reason staff see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OutboxMessage {
    pub id: i64,
    pub appointment_id: Option<i64>,
    pub appointment_starts_at: Option<DateTime<Utc>>,
    pub rule_id: Option<i64>,
    pub rule_name: Option<String>,
    pub client_id: Option<i64>,
    pub client_name: String,
    pub to: String,
    pub status: MessageStatus,
    pub reason: Option<SuppressReason>,
    /// The reason in words.
    pub reason_text: Option<String>,
    pub send_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Empty until sent: the text is rendered at send time from the current data.
    pub body: String,
    pub segments: u32,
    pub encoding: Encoding,
    pub template_version: Option<u32>,
    /// For a text still waiting to go: what will happen to it as things stand (the send gate
    /// run for its own time). `None` once it has gone or stopped.
    pub outlook: Option<Outlook>,
}

/// One pass of the scheduler: what it sent and what it suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct TickReport {
    pub sent: Vec<TickItem>,
    pub suppressed: Vec<TickItem>,
    pub received: Vec<TickItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TickItem {
    pub message_id: i64,
    pub appointment_id: Option<i64>,
    pub rule_id: Option<i64>,
    pub to: String,
    #[ts(optional)]
    pub reason: Option<SuppressReason>,
}
