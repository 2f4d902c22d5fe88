//! Clients: the people a desk texts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::consent::ConsentSummary;
use crate::phone::{parse_phone, PhoneError};
use crate::settings::validate_timezone;
use crate::ValidationError;

pub const MAX_CLIENT_NAME_CHARS: usize = 120;
pub const MAX_NOTES_CHARS: usize = 2000;

/// A client as the app shows it, with current consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Client {
    pub id: i64,
    pub name: String,
    /// E.164.
    pub phone: String,
    /// The client's own IANA zone when it differs from the business's.
    pub timezone: Option<String>,
    pub notes: String,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub consent: ConsentSummary,
    /// Set when the carrier said this number cannot receive texts (landline, not in service):
    /// nothing more is sent to it until the number is changed.
    #[serde(default)]
    #[ts(optional)]
    pub unreachable: Option<String>,
    /// The language texts to this client are written in ("es"); none: the business's default.
    #[serde(default)]
    #[ts(optional)]
    pub language: Option<String>,
}

/// A new client or changes to one, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct ClientInput {
    pub name: String,
    /// As typed: national or international, any punctuation.
    pub phone: String,
    #[ts(optional)]
    pub timezone: Option<String>,
    #[ts(optional)]
    pub notes: Option<String>,
    /// A language code or name ("es", "Spanish", "Español"); empty or absent: the business's
    /// default.
    #[serde(default)]
    #[ts(optional)]
    pub language: Option<String>,
}

/// A client input that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidClient {
    pub name: String,
    pub phone: String,
    pub timezone: Option<String>,
    pub notes: String,
    /// A code of `crate::language::LANGUAGES`.
    pub language: Option<String>,
}

/// Why a client can't be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("Enter the client's name.")]
    EmptyName,
    #[error("The name is {0} characters long; keep it to {MAX_CLIENT_NAME_CHARS} or fewer.")]
    NameTooLong(usize),
    #[error("The notes are {0} characters long; keep them to {MAX_NOTES_CHARS} or fewer.")]
    NotesTooLong(usize),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error(transparent)]
    Timezone(ValidationError),
    #[error("\"{0}\" is not a language Tidings writes texts in yet. Use English or Spanish, or leave it empty for the business's language.")]
    Language(String),
}

impl ClientError {
    pub fn field(&self) -> &'static str {
        match self {
            Self::EmptyName | Self::NameTooLong(_) => "name",
            Self::NotesTooLong(_) => "notes",
            Self::Phone(_) => "phone",
            Self::Timezone(_) => "timezone",
            Self::Language(_) => "language",
        }
    }
}

/// A name as it is kept: control characters (a terminal's escape codes, a bell, line breaks)
/// and direction overrides (which make a name read backwards) become spaces or go, and
/// whitespace folds. Joiners stay: emoji and some scripts need them.
pub fn clean_name(typed: &str) -> String {
    const DIRECTION_OVERRIDES: [char; 9] = [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}',
    ];
    typed
        .chars()
        .filter(|c| !DIRECTION_OVERRIDES.contains(c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl ClientInput {
    /// Validates and normalises: whitespace folded, phone to E.164 read in `region`.
    pub fn validate(&self, region: &str) -> Result<ValidClient, ClientError> {
        let name = clean_name(&self.name);
        let chars = name.chars().count();
        if chars == 0 {
            return Err(ClientError::EmptyName);
        }
        if chars > MAX_CLIENT_NAME_CHARS {
            return Err(ClientError::NameTooLong(chars));
        }
        let notes = self.notes.as_deref().unwrap_or_default().trim().to_owned();
        let note_chars = notes.chars().count();
        if note_chars > MAX_NOTES_CHARS {
            return Err(ClientError::NotesTooLong(note_chars));
        }
        let phone = parse_phone(&self.phone, region)?;
        let timezone = match self.timezone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(tz) => Some(validate_timezone(tz).map_err(ClientError::Timezone)?),
        };
        let language = match self.language.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                crate::language::language_named(text)
                    .ok_or_else(|| ClientError::Language(text.to_owned()))?
                    .code
                    .to_owned(),
            ),
        };
        Ok(ValidClient {
            name,
            phone,
            timezone,
            notes,
            language,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_normalised() {
        let valid = ClientInput {
            name: "  Ann   Lee ".into(),
            phone: "07400 123123".into(),
            timezone: Some("".into()),
            notes: Some(" prefers mornings ".into()),
            language: Some(" Español ".into()),
        }
        .validate("GB")
        .unwrap();
        assert_eq!(valid.language.as_deref(), Some("es"));
        assert_eq!(valid.name, "Ann Lee");
        assert_eq!(valid.phone, "+447400123123");
        assert_eq!(valid.timezone, None);
        assert_eq!(valid.notes, "prefers mornings");
    }

    #[test]
    fn refusals_name_their_field() {
        let base = ClientInput {
            name: "Ann".into(),
            phone: "07400 123123".into(),
            ..ClientInput::default()
        };
        let err = ClientInput {
            name: " ".into(),
            ..base.clone()
        }
        .validate("GB")
        .unwrap_err();
        assert_eq!(err.field(), "name");
        let err = ClientInput {
            phone: "123".into(),
            ..base.clone()
        }
        .validate("GB")
        .unwrap_err();
        assert_eq!(err.field(), "phone");
        let err = ClientInput {
            timezone: Some("Nowhere/Special".into()),
            ..base.clone()
        }
        .validate("GB")
        .unwrap_err();
        assert_eq!(err.field(), "timezone");
        let err = ClientInput {
            language: Some("Klingon".into()),
            ..base
        }
        .validate("GB")
        .unwrap_err();
        assert_eq!(err.field(), "language");
        assert!(
            err.to_string().contains("\"Klingon\" is not a language"),
            "{err}"
        );
    }

    #[test]
    fn names_lose_control_characters_and_direction_overrides_but_keep_joiners() {
        assert_eq!(clean_name("Ann\u{1b}[31m Lee\u{7}"), "Ann [31m Lee");
        assert_eq!(clean_name("Bo\nRay\t"), "Bo Ray");
        assert_eq!(clean_name("\u{202E}eeL nnA"), "eeL nnA");
        assert_eq!(clean_name("Zoë 👩\u{200D}🔬"), "Zoë 👩\u{200D}🔬");
        let input = ClientInput {
            name: "\u{1b}\u{7}".into(),
            phone: "07400 123001".into(),
            ..ClientInput::default()
        };
        assert!(matches!(input.validate("GB"), Err(ClientError::EmptyName)));
    }
}
