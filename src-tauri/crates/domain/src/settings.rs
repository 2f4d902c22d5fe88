//! Business settings: what a desk configures once and the rules that keep the values valid.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod quiet_hours;

pub use quiet_hours::QuietHours;

/// Longest business name we accept; it goes into the HELP text of every thread.
pub const MAX_BUSINESS_NAME_CHARS: usize = 80;

/// A value a person typed that cannot be used, with the field it belongs to and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("Enter the business name your customers know you by.")]
    EmptyBusinessName,
    #[error("The business name is {0} characters long; keep it to {MAX_BUSINESS_NAME_CHARS} or fewer so it fits in a text.")]
    BusinessNameTooLong(usize),
    #[error("\"{0}\" is not a time zone we know. Pick one from the list, such as Europe/London or America/New_York.")]
    UnknownTimeZone(String),
    #[error("\"{0}\" is not a phone region we know. Use a two-letter country code such as US, GB or DE.")]
    UnknownPhoneRegion(String),
    #[error("\"{0}\" is not a time of day. Use 24-hour HH:MM, such as 08:00 or 21:30.")]
    BadTimeOfDay(String),
    #[error("Quiet hours must start and end at different times.")]
    EmptyQuietHours,
    #[error("\"{0}\" is not a valid number of texts. Use a whole number from 1 to 50.")]
    BadCap(String),
    #[error("Keep the business phone to 40 characters or fewer.")]
    BusinessPhoneTooLong,
    #[error("\"{0}\" doesn't look like a phone number here. Enter the number customers call, with its area code, or leave it empty for now.")]
    BadBusinessPhone(String),
    #[error("\"{0}\" is not a follow-up delay Tidings uses. Use a whole number of hours from 1 to 72, or off.")]
    BadFollowUp(String),
    #[error("\"{0}\" is not a sending rate Tidings uses. Use a whole number of texts per second from 1 to 100 (1 for an ordinary US number).")]
    BadSendRate(String),
    #[error("\"{0}\" is not a wait Tidings uses. Use a whole number of seconds from 0 to 600, or \"default\" for the provider's own.")]
    BadRecordsLag(String),
    #[error("There is no setting called \"{0}\". Known settings: business_name, timezone, phone_region, quiet_hours, max_texts_per_day, max_texts_per_week, no_sundays, business_phone, backup_folder, send_rate_per_second, send_keyword_replies_with_twilio, follow_up_hours, provider_records_lag_seconds, default_language.")]
    UnknownSetting(String),
    #[error("\"{0}\" is not a language Tidings writes texts in yet. Use English or Spanish.")]
    UnknownLanguage(String),
    #[error("With quiet hours from {start} to {end}, texts could go at {at}, in the night. Quiet hours must cover at least 22:00 to 07:00 in the customer's time zone; the usual setting is 21:00 to 08:00.")]
    QuietHoursLeaveNight {
        start: String,
        end: String,
        at: String,
    },
    #[error("\"{value}\" is neither yes nor no. For {key}, use yes or no (true/false, on/off and 1/0 work too).")]
    BadYesNo { key: &'static str, value: String },
}

impl ValidationError {
    /// The setting the error is about, so a form can put the message beside the right field.
    pub fn field(&self) -> &'static str {
        match self {
            Self::EmptyBusinessName | Self::BusinessNameTooLong(_) => "business_name",
            Self::UnknownTimeZone(_) => "timezone",
            Self::UnknownPhoneRegion(_) => "phone_region",
            Self::BadTimeOfDay(_) | Self::EmptyQuietHours | Self::QuietHoursLeaveNight { .. } => {
                "quiet_hours"
            }
            Self::BadCap(_) => "caps",
            Self::UnknownSetting(_) => "key",
            Self::BusinessPhoneTooLong | Self::BadBusinessPhone(_) => "business_phone",
            Self::BadSendRate(_) => "send_rate_per_second",
            Self::BadFollowUp(_) => "follow_up_hours",
            Self::BadRecordsLag(_) => "provider_records_lag_seconds",
            Self::UnknownLanguage(_) => "default_language",
            Self::BadYesNo { key, .. } => key,
        }
    }
}

/// Which SMS provider sends the texts. Secrets never live here: they are in the OS keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ProviderKind {
    /// The built-in simulated carrier: nothing leaves the machine.
    #[default]
    Sandbox,
    Twilio,
    /// The desk's own Android phone running the SMSGate app's local server.
    #[serde(rename = "smsgate")]
    #[ts(rename = "smsgate")]
    SmsGate,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Twilio => "twilio",
            Self::SmsGate => "smsgate",
        }
    }
}

/// Frequency caps per client, enforced by the engine at send time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Caps {
    pub max_texts_per_day: u32,
    pub max_texts_per_week: u32,
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            max_texts_per_day: 3,
            max_texts_per_week: 8,
        }
    }
}

fn parse_cap(text: &str) -> Result<u32, ValidationError> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=50).contains(&n) => Ok(n),
        _ => Err(ValidationError::BadCap(text.trim().to_owned())),
    }
}

/// Everything a desk configures. `setup_completed_at` is `None` until first-run setup is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct Settings {
    pub business_name: String,
    /// IANA zone of the business, e.g. "Europe/London".
    pub timezone: String,
    /// ISO 3166 two-letter region used to read national phone numbers, e.g. "GB".
    pub phone_region: String,
    pub quiet_hours: QuietHours,
    pub caps: Caps,
    pub provider: ProviderKind,
    pub setup_completed_at: Option<DateTime<Utc>>,
    /// No automated texts on Sundays (recipient's local day).
    #[serde(default)]
    pub no_sundays: bool,
    /// The number customers can call, for {business_phone} in texts.
    #[serde(default)]
    pub business_phone: String,
    /// Where automatic backups go; empty means the app's data folder.
    #[serde(default)]
    pub backup_folder: String,
    /// The Twilio account, when one has been connected (kept when switching back to the
    /// Sandbox, so switching again needs no retyping).
    #[serde(default)]
    pub twilio: Option<crate::TwilioSettings>,
    /// The desk's Android phone as gateway (SMSGate), when one has been connected (kept when
    /// switching away, like Twilio's).
    #[serde(default)]
    #[ts(optional)]
    pub smsgate: Option<crate::SmsGateSettings>,
    /// With Twilio, whose opt-out handling already answers STOP, START and HELP, Tidings
    /// records the change but sends no second confirmation unless this is on.
    #[serde(default)]
    pub send_keyword_replies_with_twilio: bool,
    /// Hours after a visit is marked completed to ask how it went; `None` is off (the
    /// default). The "Ask how it went" preset sets 2.
    #[serde(default)]
    pub follow_up_hours: Option<u32>,
    /// Texts per second per sending number (1 is the US long-code rate).
    #[serde(default = "default_send_rate")]
    pub send_rate_per_second: u32,
    /// How long a text whose send had no clear answer is given to show in the provider's own
    /// records before "not there" counts and it is sent again; `None` is the provider's own
    /// figure (Twilio's list can lag by seconds). Only a local stand-in needs less.
    #[serde(default)]
    #[ts(optional)]
    pub provider_records_lag_seconds: Option<u32>,
    /// The language of texts to clients who have none of their own (a code, "es"); none is
    /// English.
    #[serde(default)]
    #[ts(optional)]
    pub default_language: Option<String>,
}

impl Settings {
    /// The business's time zone (UTC if the saved name is one this build doesn't know, which
    /// validation on save makes a database from elsewhere).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// The language texts go in to a client without one of their own.
    pub fn language(&self) -> &'static crate::language::Language {
        self.default_language
            .as_deref()
            .and_then(crate::language::language)
            .unwrap_or(&crate::language::ENGLISH)
    }
}

/// The longest wait for a provider's records a desk can set (ten minutes).
pub const MAX_RECORDS_LAG_SECONDS: u32 = 600;

fn default_send_rate() -> u32 {
    1
}

/// The answers of first-run setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetupInput {
    pub business_name: String,
    pub timezone: String,
    pub phone_region: String,
    /// The number customers call: HELP answers, reschedule replies and follow-ups give it.
    #[serde(default)]
    #[ts(optional)]
    pub business_phone: Option<String>,
}

/// A change to settings from the Settings screen: only the fields present change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct SettingsUpdate {
    #[ts(optional)]
    pub business_name: Option<String>,
    /// A language code or name; empty is English.
    #[serde(default)]
    #[ts(optional)]
    pub default_language: Option<String>,
    #[ts(optional)]
    pub timezone: Option<String>,
    #[ts(optional)]
    pub phone_region: Option<String>,
    #[ts(optional)]
    pub quiet_hours: Option<QuietHours>,
    #[ts(optional)]
    pub caps: Option<Caps>,
    #[ts(optional)]
    pub no_sundays: Option<bool>,
    #[ts(optional)]
    pub business_phone: Option<String>,
    #[ts(optional)]
    pub backup_folder: Option<String>,
    #[ts(optional)]
    pub send_rate_per_second: Option<u32>,
    #[ts(optional)]
    pub send_keyword_replies_with_twilio: Option<bool>,
    /// `Some(0)` turns follow-ups off; `Some(n)` asks n hours after a visit (1 to 72).
    #[ts(optional)]
    pub follow_up_hours: Option<u32>,
    /// `Some(n)` waits n seconds (0 to 600) for the provider's records; `Some(u32::MAX)` goes
    /// back to the provider's own figure.
    #[ts(optional)]
    pub provider_records_lag_seconds: Option<u32>,
}

/// A yes-or-no setting as typed, in any case; anything else is refused rather than read as no.
fn yes_or_no(key: &'static str, value: &str) -> Result<bool, ValidationError> {
    match value.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" => Ok(true),
        "false" | "no" | "n" | "0" | "off" => Ok(false),
        _ => Err(ValidationError::BadYesNo {
            key,
            value: value.trim().to_owned(),
        }),
    }
}

impl SettingsUpdate {
    /// One `KEY VALUE` pair as typed on the command line.
    pub fn from_key_value(key: &str, value: &str) -> Result<Self, ValidationError> {
        let mut update = Self::default();
        match key {
            "business_name" => update.business_name = Some(value.to_owned()),
            "timezone" => update.timezone = Some(value.to_owned()),
            "phone_region" => update.phone_region = Some(value.to_owned()),
            "quiet_hours" => update.quiet_hours = Some(QuietHours::parse_range(value)?),
            "no_sundays" => update.no_sundays = Some(yes_or_no("no_sundays", value)?),
            "business_phone" => update.business_phone = Some(value.to_owned()),
            "backup_folder" => update.backup_folder = Some(value.to_owned()),
            "follow_up_hours" => {
                let v = value.trim();
                update.follow_up_hours = Some(if matches!(v, "off" | "none" | "0") {
                    0
                } else {
                    v.parse()
                        .ok()
                        .filter(|h| (1..=72).contains(h))
                        .ok_or_else(|| ValidationError::BadFollowUp(v.to_owned()))?
                });
            }
            "send_keyword_replies_with_twilio" => {
                update.send_keyword_replies_with_twilio =
                    Some(yes_or_no("send_keyword_replies_with_twilio", value)?)
            }
            "send_rate_per_second" => {
                update.send_rate_per_second = Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| ValidationError::BadSendRate(value.trim().to_owned()))?,
                )
            }
            "default_language" => update.default_language = Some(value.to_owned()),
            "provider_records_lag_seconds" => {
                let v = value.trim();
                update.provider_records_lag_seconds = Some(if v == "default" {
                    u32::MAX
                } else {
                    v.parse()
                        .ok()
                        .filter(|s| *s <= MAX_RECORDS_LAG_SECONDS)
                        .ok_or_else(|| ValidationError::BadRecordsLag(v.to_owned()))?
                });
            }
            "max_texts_per_day" | "max_texts_per_week" => {
                // Filled in against the current caps by `Settings::apply`.
                let n = parse_cap(value)?;
                update.caps = Some(if key == "max_texts_per_day" {
                    Caps {
                        max_texts_per_day: n,
                        max_texts_per_week: 0,
                    }
                } else {
                    Caps {
                        max_texts_per_day: 0,
                        max_texts_per_week: n,
                    }
                });
            }
            other => return Err(ValidationError::UnknownSetting(other.to_owned())),
        }
        Ok(update)
    }
}

impl Settings {
    /// Texts per second per sender; settings saved before the rate existed send one a second.
    pub fn send_rate(&self) -> u32 {
        self.send_rate_per_second.clamp(1, 100)
    }

    pub fn is_setup_complete(&self) -> bool {
        self.setup_completed_at.is_some()
    }

    /// Validates an update against these settings and returns the settings it produces,
    /// leaving `self` untouched when any field is invalid. A cap of 0 in `caps` keeps the
    /// current value (the command line sets one cap at a time).
    pub fn apply(&self, update: &SettingsUpdate) -> Result<Settings, ValidationError> {
        let mut next = self.clone();
        if let Some(name) = &update.business_name {
            next.business_name = validate_business_name(name)?;
        }
        if let Some(tz) = &update.timezone {
            next.timezone = validate_timezone(tz)?;
        }
        if let Some(region) = &update.phone_region {
            next.phone_region = validate_phone_region(region)?;
        }
        if let Some(q) = &update.quiet_hours {
            next.quiet_hours = QuietHours::new(&q.start, &q.end)?;
            next.quiet_hours.covers_the_night()?;
        }
        if let Some(no_sundays) = update.no_sundays {
            next.no_sundays = no_sundays;
        }
        if let Some(phone) = &update.business_phone {
            let phone = phone.trim();
            if phone.chars().count() > 40 {
                return Err(ValidationError::BusinessPhoneTooLong);
            }
            // Kept as typed ("(415) 555-0100" reads better in a text than +14155550100), but
            // it has to be a number customers can call.
            if !phone.is_empty() && crate::parse_phone(phone, &next.phone_region).is_err() {
                return Err(ValidationError::BadBusinessPhone(phone.to_owned()));
            }
            next.business_phone = phone.to_owned();
        }
        if let Some(text) = &update.default_language {
            next.default_language = match text.trim() {
                "" => None,
                named => Some(
                    crate::language::language_named(named)
                        .ok_or_else(|| ValidationError::UnknownLanguage(named.to_owned()))?
                        .code
                        .to_owned(),
                ),
            };
        }
        if let Some(hours) = update.follow_up_hours {
            if hours > 72 {
                return Err(ValidationError::BadFollowUp(hours.to_string()));
            }
            next.follow_up_hours = (hours > 0).then_some(hours);
        }
        if let Some(on) = update.send_keyword_replies_with_twilio {
            next.send_keyword_replies_with_twilio = on;
        }
        if let Some(rate) = update.send_rate_per_second {
            if !(1..=100).contains(&rate) {
                return Err(ValidationError::BadSendRate(rate.to_string()));
            }
            next.send_rate_per_second = rate;
        }
        if let Some(lag) = update.provider_records_lag_seconds {
            next.provider_records_lag_seconds = match lag {
                u32::MAX => None,
                s if s <= MAX_RECORDS_LAG_SECONDS => Some(s),
                s => return Err(ValidationError::BadRecordsLag(s.to_string())),
            };
        }
        if let Some(folder) = &update.backup_folder {
            next.backup_folder = folder.trim().to_owned();
        }
        if let Some(caps) = &update.caps {
            if caps.max_texts_per_day != 0 {
                next.caps.max_texts_per_day = parse_cap(&caps.max_texts_per_day.to_string())?;
            }
            if caps.max_texts_per_week != 0 {
                next.caps.max_texts_per_week = parse_cap(&caps.max_texts_per_week.to_string())?;
            }
        }
        Ok(next)
    }

    /// Completes first-run setup.
    pub fn complete_setup(
        &self,
        input: &SetupInput,
        now: DateTime<Utc>,
    ) -> Result<Settings, ValidationError> {
        let mut next = self.apply(&SettingsUpdate {
            business_name: Some(input.business_name.clone()),
            timezone: Some(input.timezone.clone()),
            phone_region: Some(input.phone_region.clone()),
            business_phone: input.business_phone.clone(),
            ..SettingsUpdate::default()
        })?;
        next.setup_completed_at = Some(now);
        Ok(next)
    }
}

pub fn validate_business_name(name: &str) -> Result<String, ValidationError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = name.chars().count();
    if chars == 0 {
        return Err(ValidationError::EmptyBusinessName);
    }
    if chars > MAX_BUSINESS_NAME_CHARS {
        return Err(ValidationError::BusinessNameTooLong(chars));
    }
    Ok(name)
}

pub fn validate_timezone(tz: &str) -> Result<String, ValidationError> {
    chrono_tz::Tz::from_str(tz.trim())
        .map(|tz| tz.name().to_owned())
        .map_err(|_| ValidationError::UnknownTimeZone(tz.trim().to_owned()))
}

pub fn validate_phone_region(region: &str) -> Result<String, ValidationError> {
    let upper = region.trim().to_ascii_uppercase();
    // The regions libphonenumber has numbering plans for are the ones we can parse numbers in.
    phonenumber::country::Id::from_str(&upper)
        .map(|id| id.as_ref().to_owned())
        .map_err(|_| ValidationError::UnknownPhoneRegion(region.trim().to_owned()))
}

/// The region a locale tag such as "en-GB", "de_DE.UTF-8" or "fr-Latn-CA" names, if it names one
/// that phone numbers can be parsed in.
pub fn region_from_locale(locale: &str) -> Option<String> {
    let tag = locale.split(['.', '@']).next().unwrap_or_default();
    tag.split(['-', '_'])
        .skip(1)
        .filter(|part| part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic()))
        .find_map(|part| validate_phone_region(part).ok())
}

/// A phone region the app can use, with its international calling code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RegionInfo {
    pub code: String,
    pub calling_code: u16,
    /// A mobile number as people in the region write it ("(201) 555-0123"), for hints.
    pub example_national: Option<String>,
    /// The same number written for any country ("+1 201-555-0123").
    pub example_international: Option<String>,
}

impl RegionInfo {
    /// Every region libphonenumber has a numbering plan for, sorted by code.
    pub fn all() -> Vec<RegionInfo> {
        let mut regions: Vec<RegionInfo> = phonenumber::metadata::DATABASE
            .iter()
            .filter(|meta| phonenumber::country::Id::from_str(meta.id()).is_ok())
            .map(|meta| {
                let example = example_number(meta);
                RegionInfo {
                    code: meta.id().to_owned(),
                    calling_code: meta.country_code(),
                    example_national: example
                        .as_ref()
                        .map(|n| n.format().mode(phonenumber::Mode::National).to_string()),
                    example_international: example.as_ref().map(|n| {
                        n.format()
                            .mode(phonenumber::Mode::International)
                            .to_string()
                    }),
                }
            })
            .collect();
        regions.sort_by(|a, b| a.code.cmp(&b.code));
        regions.dedup_by(|a, b| a.code == b.code);
        regions
    }
}

/// libphonenumber's example mobile number for a region (a fixed line where it has no mobile one).
fn example_number(meta: &phonenumber::metadata::Metadata) -> Option<phonenumber::PhoneNumber> {
    let descriptors = meta.descriptors();
    let example = descriptors
        .mobile()
        .and_then(|d| d.example())
        .or_else(|| descriptors.fixed_line().and_then(|d| d.example()))?;
    let id = phonenumber::country::Id::from_str(meta.id()).ok()?;
    phonenumber::parse(Some(id), example).ok()
}

#[cfg(test)]
mod tests;
