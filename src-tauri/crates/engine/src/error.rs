//! Errors as the UI and the command line see them: a stable code to act on and a message that
//! says what happened and what to do.

use serde::{Deserialize, Serialize};
use tidings_domain::import::ImportFileError;
use tidings_domain::{ClientError, ValidationError};
use tidings_sms::ProviderError;
use tidings_store::StoreError;
use ts_rs::TS;

/// Stable error codes. The UI branches on these; never renumber or reuse one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A value typed by a person is not usable; `field` names it.
    InvalidInput,
    /// First-run setup has not been completed yet.
    SetupRequired,
    /// The data folder can't be created or written.
    DataFolder,
    /// The database file is damaged or not a database.
    DatabaseCorrupt,
    /// The database was written by a newer Tidings.
    DatabaseTooNew,
    /// Another program holds the database.
    DatabaseBusy,
    /// Any other storage failure.
    Storage,
    /// The SMS provider failed.
    Provider,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// The change clashes with existing data; `related_id` names what it clashes with.
    Conflict,
    /// A file to import can't be read at all; nothing was imported.
    ImportFile,
    /// A bug: something that should not happen.
    Internal,
    /// The OS keyring is missing, locked or refused; the message says which.
    Keyring,
    /// The SMS provider rejected the credentials (sending is paused until they are fixed).
    CredentialsRejected,
    /// The SMS provider could not be reached or did not answer in time.
    ProviderOffline,
    /// Another Tidings (the app, a command-line tick) is sending from the same database and
    /// has not let go; nothing was sent.
    SenderBusy,
}

/// What the UI receives for every failed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
    /// The input field the error is about, when there is one.
    pub field: Option<String>,
    /// The record the error points at, e.g. the client who already has a number.
    pub related_id: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Secret(#[from] tidings_sms::SecretError),
    #[error(transparent)]
    ProviderSettings(#[from] tidings_domain::ProviderSettingsError),
    #[error(transparent)]
    SmsGateSettings(#[from] tidings_domain::SmsGateSettingsError),
    #[error("Finish setting up Tidings first: business name, time zone and phone region.")]
    SetupRequired,
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    ImportFile(#[from] ImportFileError),
    #[error("{0}")]
    NotFound(String),
    #[error("There is no client {0}. It may have been removed; reload the list.")]
    ClientNotFound(String),
    #[error("{phone} already belongs to {name}. Open that client instead.")]
    DuplicatePhone {
        phone: String,
        name: String,
        client_id: i64,
    },
    #[error("{0}")]
    SenderBusy(String),
    #[error("{message}")]
    BadInput {
        field: &'static str,
        message: String,
    },
}

/// A value that can't be used, with the field it belongs to and what to do about it.
pub(crate) fn bad_input(field: &'static str, message: impl Into<String>) -> EngineError {
    EngineError::BadInput {
        field,
        message: message.into(),
    }
}

impl EngineError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) | Self::Client(_) | Self::BadInput { .. } => ErrorCode::InvalidInput,
            Self::ImportFile(_) => ErrorCode::ImportFile,
            Self::ClientNotFound(_) | Self::NotFound(_) => ErrorCode::NotFound,
            Self::DuplicatePhone { .. } => ErrorCode::Conflict,
            Self::SenderBusy(_) => ErrorCode::SenderBusy,
            Self::SetupRequired => ErrorCode::SetupRequired,
            Self::Provider(ProviderError::CredentialsRejected) => ErrorCode::CredentialsRejected,
            Self::Provider(ProviderError::Transient { .. }) => ErrorCode::ProviderOffline,
            Self::Provider(_) => ErrorCode::Provider,
            Self::Secret(_) => ErrorCode::Keyring,
            Self::ProviderSettings(_) | Self::SmsGateSettings(_) => ErrorCode::InvalidInput,
            Self::Store(err) => match err {
                StoreError::DataFolder { .. } | StoreError::CannotWrite { .. } => {
                    ErrorCode::DataFolder
                }
                StoreError::FileExists { .. } => ErrorCode::Conflict,
                StoreError::Corrupt { .. } => ErrorCode::DatabaseCorrupt,
                StoreError::TooNew { .. } => ErrorCode::DatabaseTooNew,
                StoreError::Busy => ErrorCode::DatabaseBusy,
                StoreError::Moved { .. } => ErrorCode::Conflict,
                StoreError::Migration(_) | StoreError::Decode(_) | StoreError::Sqlite(_) => {
                    ErrorCode::Storage
                }
            },
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
            field: match self {
                Self::Invalid(err) => Some(err.field().to_owned()),
                Self::Client(err) => Some(err.field().to_owned()),
                Self::ProviderSettings(err) => Some(err.field().to_owned()),
                Self::SmsGateSettings(err) => Some(err.field().to_owned()),
                Self::DuplicatePhone { .. } => Some("phone".to_owned()),
                Self::BadInput { field, .. } => Some((*field).to_owned()),
                _ => None,
            },
            related_id: match self {
                Self::DuplicatePhone { client_id, .. } => Some(*client_id),
                _ => None,
            },
        }
    }
}

impl ErrorPayload {
    /// A failure that is not about one field or record.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            related_id: None,
        }
    }
}

impl From<&EngineError> for ErrorPayload {
    fn from(err: &EngineError) -> Self {
        err.payload()
    }
}

/// So the shell and the command line can write `?` where an engine call fails.
impl From<EngineError> for ErrorPayload {
    fn from(err: EngineError) -> Self {
        err.payload()
    }
}
