//! TypeScript declarations for every type that crosses into the web view, generated from the
//! Rust types so they are never written twice. `tests/bindings.rs` fails when the copy in
//! `ui/src/lib/bindings.ts` is stale.

use ts_rs::{Config, TS};

macro_rules! declarations {
    ($cfg:expr; $($ty:ty),* $(,)?) => {{
        let mut out = String::new();
        $(
            out.push_str("export ");
            out.push_str(&<$ty as TS>::decl($cfg));
            out.push_str("\n\n");
        )*
        out
    }};
}

/// The whole bindings file.
pub fn typescript_bindings() -> String {
    // Ids and counts stay far below 2^53, so plain numbers are exact.
    let cfg = Config::new().with_large_int("number");
    let body = declarations!(&cfg;
        tidings_domain::Settings,
        tidings_domain::SetupInput,
        tidings_domain::SettingsUpdate,
        tidings_domain::QuietHours,
        tidings_domain::Caps,
        tidings_domain::ProviderKind,
        tidings_domain::RegionInfo,
        tidings_domain::ZoneInfo,
        tidings_domain::WriteSource,
        tidings_domain::Change,
        tidings_domain::ChangeBatch,
        tidings_domain::Client,
        tidings_domain::ClientInput,
        tidings_domain::ConsentSummary,
        tidings_domain::ConsentState,
        tidings_domain::Purpose,
        tidings_domain::ConsentAction,
        tidings_domain::ConsentChannel,
        tidings_domain::ConsentEvent,
        tidings_domain::ConsentInput,
        tidings_domain::import::ColumnMapping,
        tidings_domain::import::RowOutcome,
        tidings_domain::import::RowPlan,
        tidings_domain::import::SkippedRow,
        tidings_domain::import::ImportReport,
        tidings_domain::Appointment,
        tidings_domain::AppointmentInput,
        tidings_domain::AppointmentStatus,
        tidings_domain::AppointmentSource,
        tidings_domain::Service,
        tidings_domain::Staff,
        tidings_domain::TemplateKind,
        tidings_domain::Encoding,
        tidings_domain::SegmentInfo,
        tidings_domain::SuppressReason,
        crate::FeedKind,
        crate::FeedChangeCounts,
        crate::Feed,
        crate::FeedRead,
        crate::FeedInput,
        tidings_sms::ProviderStatus,
        tidings_sms::KeyringState,
        tidings_domain::TwilioSettings,
        tidings_domain::SmsGateSettings,
        tidings_domain::SmsGateInput,
        crate::GatewayStatus,
        crate::ProviderHealth,
        tidings_domain::TwilioInput,
        crate::ProviderView,
        crate::InboxFilter,
        crate::ThreadSummary,
        crate::InboxCounts,
        crate::InboxView,
        crate::Author,
        crate::ThreadText,
        crate::QuickReply,
        crate::ThreadView,
        crate::InboxSearchHit,
        crate::UpdateInput,
        crate::UpdatePreview,
        crate::UpdateTemplate,
        crate::NoticeInput,
        crate::NoticeExclusion,
        crate::NoticeRecipient,
        crate::NoticePreview,
        crate::NoticeProgress,
        tidings_domain::metrics::Rate,
        tidings_domain::metrics::Signal,
        crate::ReasonCount,
        crate::ResponseTimes,
        crate::FollowUpResults,
        crate::RuleResult,
        crate::Funnel,
        crate::WeekPoint,
        crate::VersionResult,
        crate::Definition,
        crate::InsightsReport,
        crate::ConnectionCheck,
        crate::ErrorCode,
        crate::ErrorPayload,
        crate::SetupDefaults,
        crate::DoctorReport,
        crate::ClientDetail,
        crate::DisclosureView,
        crate::Disclosures,
        crate::ImportConsent,
        crate::ImportOptions,
        crate::ImportPreview,
        crate::ConsentExport,
        crate::ImportProgress,
        crate::StagedFile,
        crate::ExportFormat,
        crate::ExportedFile,
        crate::AppointmentMapping,
        crate::AppointmentImportOptions,
        tidings_domain::appointment_import::TitleRule,
        crate::AppointmentOutcome,
        crate::AppointmentRowPlan,
        crate::MissingAppointment,
        crate::AppointmentImportReport,
        crate::AppointmentImportPreview,
        crate::TodayView,
        crate::Template,
        crate::TemplateVersion,
        crate::TemplatePreview,
        crate::ReminderRule,
        crate::ReminderRuleInput,
        crate::Preset,
        crate::PresetInfo,
        crate::MessageStatus,
        crate::OutboxMessage,
        crate::Outlook,
        crate::TickReport,
        crate::TickItem,
        crate::BackupInfo,
        crate::BackupStatus,
        crate::RestorePreview,
        crate::RestoreReport,
        crate::KeptAfterBackup,
        crate::ExportSummary,
        crate::SandboxText,
    );
    // The region table customers' texts are written with, so the desk's screens use the same.
    let list = |regions: &[&str]| {
        let quoted: Vec<String> = regions.iter().map(|r| format!("\"{r}\"")).collect();
        quoted.join(", ")
    };
    let styles = format!(
        "/** Regions whose people write 12-hour times (\"2:30 PM\"); `DateStyle::for_region`. */\n\
         export const TWELVE_HOUR_REGIONS: readonly string[] = [{}];\n\n\
         /** Regions that write the month before the day (\"March 14\"); `DateStyle::for_region`. */\n\
         export const MONTH_FIRST_REGIONS: readonly string[] = [{}];\n\n\
         /** The languages customers can be texted in, English first; `tidings_domain::language`. */\n\
         export const LANGUAGES: readonly {{ code: string, name: string, native_name: string }}[] = [{}];\n",
        list(tidings_domain::template::TWELVE_HOUR_REGIONS),
        list(tidings_domain::template::MONTH_FIRST_REGIONS),
        tidings_domain::language::LANGUAGES
            .iter()
            .map(|l| format!(
                "{{ code: \"{}\", name: \"{}\", native_name: \"{}\" }}",
                l.code, l.name, l.native_name
            ))
            .collect::<Vec<_>>()
            .join(", "),
    );
    format!(
        "// Generated from the Rust types by tidings-engine's `typescript_bindings`. Do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p tidings-engine --test bindings\n\n{}\n\n{}",
        body.trim_end(),
        styles
    )
}
