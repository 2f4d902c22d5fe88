//! SMS providers. Everything the engine needs from a carrier goes through [`Provider`];
//! [`sandbox::SandboxProvider`] is the default and never touches the network;
//! [`twilio::TwilioProvider`] speaks Twilio's REST API. Secrets live only in the OS keyring
//! ([`secrets::Keyring`]) and travel wrapped in [`Sensitive`].

pub mod sandbox;
pub mod secrets;
mod sensitive;
pub mod smsgate;
pub mod twilio;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::ProviderKind;
use ts_rs::TS;

pub use sandbox::SandboxProvider;
pub use secrets::{Keyring, KeyringState, SecretError};
pub use sensitive::Sensitive;
pub use smsgate::{SmsGateConfig, SmsGateProvider};
pub use twilio::{Sender, TwilioConfig, TwilioProvider};

/// A text to hand to the provider: now, or (where the provider can hold it) at `send_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundText {
    /// E.164.
    pub to: String,
    pub body: String,
    pub send_at: Option<DateTime<Utc>>,
    /// The text's own id, for providers that refuse a second message with the same one
    /// (SMSGate): a resend after a lost answer can then never go twice. At most 36 characters.
    pub key: Option<String>,
}

/// Where a message stands at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ProviderStatus {
    Scheduled,
    Queued,
    Sent,
    Delivered,
    Undelivered,
    Failed,
    Canceled,
}

/// What the provider said when it accepted a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    pub provider_id: String,
    pub status: ProviderStatus,
}

/// A text a customer sent to the business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundText {
    pub provider_id: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub received_at: DateTime<Utc>,
}

/// One page of inbound texts and the cursor to ask from next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundPage {
    pub texts: Vec<InboundText>,
    pub next_cursor: Option<String>,
}

/// A message the provider has on record, used to reconcile a claimed send after a crash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRecord {
    pub provider_id: String,
    pub to: String,
    pub body: String,
    pub status: ProviderStatus,
    pub created_at: DateTime<Utc>,
}

/// Where a sent message stands, with the provider's error code when it did not arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub status: ProviderStatus,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl StatusReport {
    pub fn of(status: ProviderStatus) -> Self {
        Self {
            status,
            error_code: None,
            error_message: None,
        }
    }
}

/// Provider failures, classified by what the engine should do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("The SMS provider is not answering right now: {reason}. Tidings will try again.")]
    Transient {
        reason: String,
        /// How long the provider asked us to wait (`Retry-After`), if it said.
        retry_after: Option<std::time::Duration>,
    },
    /// Sending cannot start at all (no secret in the keyring, keyring locked): nothing is
    /// retried until the user fixes it.
    #[error("{0}")]
    Unavailable(String),
    #[error("The recipient has opted out at the carrier.")]
    RecipientOptedOut,
    #[error("The number can't receive texts: {0}")]
    InvalidNumber(String),
    #[error("The SMS provider rejected the credentials. Sending is paused until they are updated in Settings.")]
    CredentialsRejected,
    #[error("The SMS provider refused the text ({code}): {message}")]
    Permanent { code: String, message: String },
    #[error("The provider has no message {0}.")]
    NotFound(String),
    #[error("The provider's records could not be read: {0}")]
    Storage(String),
    /// The request may have reached the provider but no usable answer came back (a timeout
    /// after connecting, a connection cut mid-answer, a server error, an answer without a
    /// message id). The text may have gone: nothing resends it until the provider's own
    /// records say it is not there.
    #[error("The SMS provider may have taken the text, but its answer was lost ({0}). Tidings checks the provider's records before it sends the text again.")]
    Ambiguous(String),
}

#[async_trait]
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// Sends now, or schedules at the provider when `send_at` is set.
    async fn send(&self, text: &OutboundText) -> Result<SendReceipt, ProviderError>;

    /// Cancels a text scheduled at the provider.
    async fn cancel_scheduled(&self, provider_id: &str) -> Result<(), ProviderError>;

    async fn fetch_status(&self, provider_id: &str) -> Result<StatusReport, ProviderError>;

    /// Texts received after `cursor` (from the start when `None`), oldest first.
    async fn list_inbound(&self, cursor: Option<&str>) -> Result<InboundPage, ProviderError>;

    /// How long a text the provider accepted may take to show in `messages_to`. A send whose
    /// outcome is unknown is resent only when it is still missing after this long.
    fn records_lag(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }

    /// Messages to `to` created at or after `since`, for reconciling a claimed send.
    async fn messages_to(
        &self,
        to: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProviderRecord>, ProviderError>;
}
