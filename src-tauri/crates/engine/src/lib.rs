//! Tidings' running system. One [`Engine`] value serves the app's window and the command line
//! alike: it owns the store, the provider, the clock and the change-event channel.

pub mod about;
mod appointment_import;
mod appointment_plan;
mod appointments;
mod backup;
mod bindings;
mod client_import;
mod clients;
mod clock;
mod consent;
mod dispatch;
mod engine;
mod error;
mod export;
mod feeds;
mod gate;
mod inbound;
mod inbox;
mod insights;
mod lease;
mod number_opt_outs;
mod outbox;
mod outbox_actions;
pub mod paths;
mod planning;
mod polling;
mod presets;
mod provider;
mod reminders;
mod render;
mod rules;
mod sandbox_phone;
mod smsgate;
pub mod system;
mod templates;
mod thread_actions;
mod tick;
mod updates;

pub use appointment_import::{
    AppointmentImportOptions, AppointmentImportPreview, AppointmentImportReport,
    AppointmentMapping, AppointmentOutcome, AppointmentRowPlan, MissingAppointment,
};
pub use appointments::TodayView;
pub use backup::{
    BackupInfo, BackupStatus, KeptAfterBackup, RestorePreview, RestoreReport, KEEP_DAILY,
    KEEP_MONTHLY, WARN_AFTER_DAYS,
};
pub use bindings::typescript_bindings;
pub use client_import::{ImportConsent, ImportOptions, ImportPreview, ImportProgress, StagedFile};
pub use clients::{ClientDetail, CLIENT_LIST_LIMIT};
pub use clock::{Clock, FixedClock, SystemClock};
pub use consent::{ConsentExport, DisclosureView, Disclosures, ExportFormat, ExportedFile};
pub use dispatch::{backoff, MAX_ATTEMPTS};
pub use engine::{DoctorReport, Engine, EngineConfig, ProviderWrap, SetupDefaults};
pub use error::{EngineError, ErrorCode, ErrorPayload};
pub use export::ExportSummary;
pub use feeds::{
    Feed, FeedChangeCounts, FeedInput, FeedKind, FeedRead, FEED_EVERY_MINUTES, MAX_FEED_BYTES,
};
pub use inbox::{
    Author, InboxCounts, InboxFilter, InboxSearchHit, InboxView, QuickReply, ThreadSummary,
    ThreadText, ThreadView, MAX_REPLY_SEGMENTS,
};
pub use insights::{
    Definition, FollowUpResults, Funnel, InsightsReport, ReasonCount, ResponseTimes, RuleResult,
    VersionResult, WeekPoint,
};
pub use lease::LEASE_WAIT;
pub use lease::{SenderLease, SenderLock};
pub use provider::{ConnectionCheck, ProviderHealth, ProviderView};
pub use reminders::{
    MessageStatus, OutboxMessage, Outlook, Preset, PresetInfo, ReminderRule, ReminderRuleInput,
    Template, TemplatePreview, TemplateVersion, TickItem, TickReport,
};
pub use sandbox_phone::SandboxText;
pub use smsgate::GatewayStatus;
pub use templates::default_templates;
pub use tidings_domain::gate::LATE_GRACE_MINUTES;
pub use updates::{
    NoticeExclusion, NoticeInput, NoticePreview, NoticeProgress, NoticeRecipient, UpdateInput,
    UpdatePreview, UpdateTemplate, NOTICE_SUGGESTION, UPDATE_TEMPLATES,
};

pub use tidings_domain as domain;
