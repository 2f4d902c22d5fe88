//! Errors as the UI and the command line see them: a stable code to act on and a message that
//! says what happened and what to do.

use serde::{Deserialize, Serialize};
use tidings_domain::ValidationError;
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
    /// A bug: something that should not happen.
    Internal,
}

/// What the UI receives for every failed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
    /// The input field the error is about, when there is one.
    pub field: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("Finish setting up Tidings first: business name, time zone and phone region.")]
    SetupRequired,
}

impl EngineError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) => ErrorCode::InvalidInput,
            Self::SetupRequired => ErrorCode::SetupRequired,
            Self::Provider(_) => ErrorCode::Provider,
            Self::Store(err) => match err {
                StoreError::DataFolder { .. } => ErrorCode::DataFolder,
                StoreError::Corrupt { .. } => ErrorCode::DatabaseCorrupt,
                StoreError::TooNew { .. } => ErrorCode::DatabaseTooNew,
                StoreError::Busy => ErrorCode::DatabaseBusy,
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
                _ => None,
            },
        }
    }
}

impl From<&EngineError> for ErrorPayload {
    fn from(err: &EngineError) -> Self {
        err.payload()
    }
}
