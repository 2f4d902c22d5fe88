//! A text's place in its lifecycle (DESIGN's message lifecycle), stored as its snake_case
//! name. With the `sql` feature, statuses and suppression reasons are read and written
//! through rusqlite's `ToSql`/`FromSql`, so a stored value the code does not know is an error
//! where it is read, never a silent default.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a text stands. DESIGN's `unknown` is `Sending` with the time it became unclear, and
/// `held` is `Planned` with the hold as its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum MessageStatus {
    Planned,
    Sending,
    RetryWait,
    ScheduledAtProvider,
    Sent,
    Delivered,
    Undelivered,
    Failed,
    Suppressed,
    Cancelled,
    Received,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 11] = [
        Self::Planned,
        Self::Sending,
        Self::RetryWait,
        Self::ScheduledAtProvider,
        Self::Sent,
        Self::Delivered,
        Self::Undelivered,
        Self::Failed,
        Self::Suppressed,
        Self::Cancelled,
        Self::Received,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Sending => "sending",
            Self::RetryWait => "retry_wait",
            Self::ScheduledAtProvider => "scheduled_at_provider",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
            Self::Failed => "failed",
            Self::Suppressed => "suppressed",
            Self::Cancelled => "cancelled",
            Self::Received => "received",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[cfg(feature = "sql")]
mod sql {
    use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

    use super::MessageStatus;
    use crate::SuppressReason;

    fn text<T>(value: ValueRef<'_>, parse: impl Fn(&str) -> Option<T>) -> FromSqlResult<T> {
        let s = value.as_str()?;
        parse(s).ok_or_else(|| FromSqlError::Other(format!("unknown value {s:?}").into()))
    }

    impl ToSql for MessageStatus {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(ToSqlOutput::from(self.as_str()))
        }
    }

    impl FromSql for MessageStatus {
        fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
            text(value, MessageStatus::parse)
        }
    }

    impl ToSql for SuppressReason {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(ToSqlOutput::from(self.as_str()))
        }
    }

    impl FromSql for SuppressReason {
        fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
            text(value, SuppressReason::parse)
        }
    }
}
