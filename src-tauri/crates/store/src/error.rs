use std::path::PathBuf;

/// Everything that can go wrong in the store, each with what the person can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("Tidings can't use its data folder {path}: {source}. Check that the folder exists and that your user can write to it, or pass another location with --db.")]
    DataFolder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} already exists. Tidings never writes over a file: choose another name, or move that file away first.", path.display())]
    FileExists { path: PathBuf },
    #[error("Tidings can't write {}: {source}. Choose a folder your user can write to.", path.display())]
    CannotWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("The database {path} is damaged ({detail}). Tidings has not changed it. Restore it from a backup, or move it aside to start fresh.")]
    Corrupt { path: PathBuf, detail: String },
    #[error("The database {path} was written by a newer version of Tidings (schema {found}; this version knows up to {supported}). It has not been changed. Install the newer Tidings to open it.")]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "The database is busy in another program. Close other copies of Tidings and try again."
    )]
    Busy,
    #[error("Updating the database failed and nothing was changed: {0}")]
    Migration(String),
    #[error("A stored value could not be read: {0}")]
    Decode(String),
    #[error("Database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A text was not where a step expected it (another step or process moved it first).
    #[error("Text {id} was no longer {} (so it was not made {}); reload to see where it is.", from.as_str(), to.as_str())]
    Moved {
        id: i64,
        from: tidings_domain::MessageStatus,
        to: tidings_domain::MessageStatus,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                Self::Busy
            }
            _ => Self::Sqlite(err),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        Self::Decode(err.to_string())
    }
}

/// A stored word this build does not know (a kind, a purpose), as a row-reading error.
pub(crate) fn bad(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {what} {value:?}").into(),
    )
}
