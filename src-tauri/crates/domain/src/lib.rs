//! Tidings' pure logic: the types the whole system shares and the rules that validate them.
//! Nothing here performs I/O, so every rule is testable in isolation.

pub mod settings;

pub use settings::{
    region_from_locale, Caps, ProviderKind, QuietHours, RegionInfo, Settings, SettingsUpdate,
    SetupInput, ValidationError,
};
pub mod change;

pub use change::{Change, ChangeBatch, WriteSource};
pub use settings::{validate_business_name, validate_phone_region, validate_timezone};
pub mod client;
pub mod consent;
pub mod import;
pub mod phone;

pub use client::{Client, ClientError, ClientInput, ValidClient};
pub use consent::{
    ConsentAction, ConsentChannel, ConsentEvent, ConsentInput, ConsentState, ConsentSummary,
    Disclosure, Purpose,
};
pub use phone::{parse_phone, PhoneError};
pub mod appointment;
pub mod appointment_import;

pub use appointment::{
    Appointment, AppointmentInput, AppointmentSource, AppointmentStatus, Service, Staff, TimeError,
};
pub mod sms_text;

pub use sms_text::{plain_punctuation, segments, Encoding, SegmentInfo};
pub mod template;

pub use template::{check_template, render, DateStyle, RenderContext, TemplateError, TemplateKind};
pub mod gate;
pub mod message;

pub use message::MessageStatus;
pub mod metrics;
pub mod planner;
pub mod provider;

pub use provider::{
    describe_error_code, ProviderSettingsError, SmsGateInput, SmsGateSettings,
    SmsGateSettingsError, TwilioInput, TwilioSettings,
};

pub use planner::{plan_reminders, AllowedHours, Planned, RuleTiming, SuppressReason};
pub mod days;
pub mod keywords;
pub mod language;
pub mod retention;
pub mod zones;
pub use zones::{country_of_zone, desk_zones, ZoneInfo};
