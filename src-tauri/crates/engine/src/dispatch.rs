//! The dispatcher's side of sending: which provider is connected (secrets in the keyring), the
//! per-sender rate limit, what each provider failure does, start-up reconciliation of claimed
//! messages, and delivery reports.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::{
    describe_error_code, Change, ConsentAction, ConsentChannel, ConsentState, MessageStatus,
    ProviderKind, SuppressReason, TwilioInput, TwilioSettings, WriteSource,
};
use tidings_sms::twilio::DEFAULT_BASE_URL;
use tidings_sms::{
    InboundPage, KeyringState, OutboundText, Provider, ProviderError, ProviderRecord,
    ProviderStatus, SecretError, SendReceipt, Sender, Sensitive, StatusReport, TwilioConfig,
    TwilioProvider,
};
use tidings_store::{MessageRow, NewConsentEvent};
use ts_rs::TS;

use crate::error::bad_input;
use crate::{Engine, EngineError, OutboxMessage};

/// Attempts before a transiently failing text is given up as failed.
pub const MAX_ATTEMPTS: u32 = 5;
/// Delivery reports are asked for this long after sending; then the text counts as failed.
const DELIVERY_WINDOW_HOURS: i64 = 72;
const PAUSE_KEY: &str = "sending_paused";
/// The pause reason when someone chose to pause.
pub const PAUSED_BY_USER: &str = "Sending is paused from the tray menu. Choose Resume sending there or in Settings to send again.";
/// Twilio schedules texts from 15 minutes ahead; Tidings hands over up to 7 days ahead.
const HAND_OFF_MIN_MINUTES: i64 = 15;
const HAND_OFF_MAX_DAYS: i64 = 7;

/// The wait before retry number `attempt` (1-based): 30 s doubling to at most 30 min, with
/// ±50 % jitter so a burst of failures does not retry in lockstep.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base = 30.0 * 2f64.powi(attempt.saturating_sub(1).min(10) as i32);
    let capped = base.min(1800.0);
    Duration::milliseconds((capped * (0.5 + jitter.clamp(0.0, 1.0)) * 1000.0) as i64)
}

/// How long the reply poller waits between polls of a real provider (a desk has no public
/// address for webhooks): every 15 s while someone has the window open or a text went out in
/// the last 30 minutes (answers come soon after), every 2 minutes otherwise, doubling after
/// each failed poll up to 10 minutes. The Sandbox needs no polling: its phone delivers at once.
pub fn poll_interval(
    real_provider: bool,
    window_open: bool,
    since_last_sent: Option<Duration>,
    failures: u32,
) -> StdDuration {
    if !real_provider {
        return StdDuration::from_secs(300);
    }
    let busy = window_open || since_last_sent.is_some_and(|d| d < Duration::minutes(30));
    let base: u64 = if busy { 15 } else { 120 };
    let backed_off = base.saturating_mul(1 << failures.min(10));
    StdDuration::from_secs(backed_off.min(600))
}

/// The provider as Settings → Provider shows it. No secret, ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderView {
    pub kind: ProviderKind,
    pub twilio: Option<TwilioSettings>,
    /// Whether the keyring holds a secret for the Twilio account above.
    pub secret_stored: bool,
    /// The gateway phone (SMSGate), when one has been connected.
    pub smsgate: Option<tidings_domain::SmsGateSettings>,
    /// Whether the keyring holds the gateway phone's password.
    pub smsgate_password_stored: bool,
    pub keyring: KeyringState,
    /// What is wrong with the keyring, in words, when it is not available.
    pub keyring_message: Option<String>,
    /// Why sending is paused (credentials rejected, secret unreadable), if it is.
    pub paused: Option<String>,
    pub send_rate_per_second: u32,
    /// Reminders can be handed to Twilio ahead of time (a Messaging Service is set).
    pub hands_off: bool,
    /// Since when the provider has not answered (a gateway phone off or off the Wi-Fi, no
    /// internet), while it has not.
    pub silent_since: Option<DateTime<Utc>>,
}

/// Whether the provider in use is answering, for Today. Cheap: no keyring, no network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderHealth {
    pub kind: ProviderKind,
    /// Since when it has not answered, while it has not.
    pub silent_since: Option<DateTime<Utc>>,
}

/// Since when the provider has not answered a reply poll, while it has not (RFC 3339).
const SILENT_KEY: &str = "provider_silent_since";

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectionCheck {
    pub account_name: String,
    pub account_status: String,
}

/// Stands in for Twilio when its secret cannot be read: every call says why, and the
/// dispatcher pauses instead of burning retries.
pub(crate) struct UnavailableProvider(pub(crate) String, pub(crate) ProviderKind);

#[async_trait]
impl Provider for UnavailableProvider {
    fn kind(&self) -> ProviderKind {
        self.1
    }
    async fn send(&self, _: &OutboundText) -> Result<SendReceipt, ProviderError> {
        Err(ProviderError::Unavailable(self.0.clone()))
    }
    async fn cancel_scheduled(&self, _: &str) -> Result<(), ProviderError> {
        Err(ProviderError::Unavailable(self.0.clone()))
    }
    async fn fetch_status(&self, _: &str) -> Result<StatusReport, ProviderError> {
        Err(ProviderError::Unavailable(self.0.clone()))
    }
    async fn list_inbound(&self, _: Option<&str>) -> Result<InboundPage, ProviderError> {
        Err(ProviderError::Unavailable(self.0.clone()))
    }
    async fn messages_to(
        &self,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Vec<ProviderRecord>, ProviderError> {
        Err(ProviderError::Unavailable(self.0.clone()))
    }
}

fn twilio_config(settings: &TwilioSettings, secret: Sensitive<String>) -> TwilioConfig {
    let sender = match (&settings.messaging_service_sid, &settings.from_number) {
        (Some(mg), _) => Sender::MessagingService(mg.clone()),
        (None, Some(number)) => Sender::Number(number.clone()),
        (None, None) => Sender::Number(String::new()),
    };
    let mut config = TwilioConfig::new(&settings.account_sid, secret, sender);
    config.api_key_sid = settings.api_key_sid.clone();
    config.base_url = settings
        .base_url
        .clone()
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    config
}

/// Our status word for what the provider said at hand-over.
pub(crate) fn message_status(status: ProviderStatus) -> MessageStatus {
    match status {
        ProviderStatus::Delivered => MessageStatus::Delivered,
        ProviderStatus::Scheduled => MessageStatus::ScheduledAtProvider,
        ProviderStatus::Undelivered => MessageStatus::Undelivered,
        ProviderStatus::Failed => MessageStatus::Failed,
        ProviderStatus::Canceled => MessageStatus::Cancelled,
        ProviderStatus::Queued | ProviderStatus::Sent => MessageStatus::Sent,
    }
}

/// What the scheduler does after a provider failure.
pub(crate) enum AfterFailure {
    /// Go on with the next message.
    Continue,
    /// Sending is paused: stop this pass.
    Stop,
}

impl Engine {
    /// Sets up the provider the settings name (at start and after a restore).
    pub(crate) fn load_provider(&self) -> Result<(), EngineError> {
        let settings = self.settings()?;
        match (settings.provider, settings.twilio) {
            (ProviderKind::Twilio, Some(twilio)) => {
                let provider: Arc<dyn Provider> = match self.keyring.get(&twilio.keyring_account())
                {
                    Ok(secret) => Arc::new(TwilioProvider::new(twilio_config(&twilio, secret))?),
                    Err(err) => Arc::new(UnavailableProvider(
                        format!("Tidings can't read the Twilio secret: {err}"),
                        ProviderKind::Twilio,
                    )),
                };
                self.set_provider(provider);
            }
            (ProviderKind::SmsGate, _) if settings.smsgate.is_some() => {
                self.set_provider(self.smsgate_provider(settings.smsgate.as_ref())?);
            }
            _ => self.set_provider(self.sandbox_provider()),
        }
        Ok(())
    }

    pub fn provider_view(&self) -> Result<ProviderView, EngineError> {
        let settings = self.settings()?;
        let (keyring, keyring_message) = match self.keyring.state() {
            Ok(state) => (state, None),
            Err(err) => (err.state(), Some(err.to_string())),
        };
        let secret_stored = settings
            .twilio
            .as_ref()
            .is_some_and(|t| self.keyring.get(&t.keyring_account()).is_ok());
        let rate = settings.send_rate();
        Ok(ProviderView {
            kind: self.provider().kind(),
            hands_off: settings
                .twilio
                .as_ref()
                .is_some_and(|t| t.messaging_service_sid.is_some())
                && self.provider().kind() == ProviderKind::Twilio,
            smsgate_password_stored: settings
                .smsgate
                .as_ref()
                .is_some_and(|g| self.keyring.get(&g.keyring_account()).is_ok()),
            smsgate: settings.smsgate,
            twilio: settings.twilio,
            secret_stored,
            keyring,
            keyring_message,
            paused: self.sending_paused()?,
            silent_since: self.provider_silent_since()?,
            send_rate_per_second: rate,
        })
    }

    /// The settings and secret a form describes; an empty secret means "the one stored".
    fn twilio_from_input(
        &self,
        input: &TwilioInput,
    ) -> Result<(TwilioSettings, Sensitive<String>), EngineError> {
        let region = self.settings()?.phone_region;
        let settings = input.validate(&region)?;
        let typed = input.secret.trim();
        let secret = if typed.is_empty() {
            match self.keyring.get(&settings.keyring_account()) {
                Ok(secret) => secret,
                Err(SecretError::Missing) => {
                    return Err(tidings_domain::ProviderSettingsError::NoSecret.into())
                }
                Err(err) => return Err(err.into()),
            }
        } else {
            Sensitive::new(typed.to_owned())
        };
        Ok((settings, secret))
    }

    /// An authenticated read of the account: proves the credentials and the address without
    /// sending anything or saving anything.
    pub async fn test_connection(
        &self,
        input: &TwilioInput,
    ) -> Result<ConnectionCheck, EngineError> {
        let (settings, secret) = self.twilio_from_input(input)?;
        let provider = TwilioProvider::new(twilio_config(&settings, secret))?;
        let account = provider.check().await?;
        Ok(ConnectionCheck {
            account_name: account.friendly_name.unwrap_or_default(),
            account_status: account.status.unwrap_or_default(),
        })
    }

    /// Connects a Twilio account: checks it answers, stores the secret in the keyring, saves
    /// the settings (no secret) and sends through it from now on. Nothing is saved if any step
    /// fails.
    pub async fn connect_twilio(
        &self,
        input: &TwilioInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<ProviderView, EngineError> {
        let (twilio, secret) = self.twilio_from_input(input)?;
        let provider = TwilioProvider::new(twilio_config(&twilio, secret.clone()))?;
        provider.check().await?;
        self.keyring.set(&twilio.keyring_account(), &secret)?;
        let mut next = self.settings()?;
        let first = next.twilio.as_ref().map(|t| &t.account_sid) != Some(&twilio.account_sid);
        next.twilio = Some(twilio);
        next.provider = ProviderKind::Twilio;
        self.store.save_settings(
            &next,
            self.audit(actor, source, "provider", "connect_twilio"),
        )?;
        if first {
            // Replies are read from the moment of connecting, not the account's whole history.
            let key = crate::inbound::cursor_key(ProviderKind::Twilio);
            let now = self
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            self.store.kv_set(&key, &now, self.now())?;
        }
        self.set_provider(Arc::new(provider));
        self.clear_pause()?;
        self.publish(source, vec![Change::Settings]);
        self.provider_view()
    }

    /// Back to the Sandbox. The Twilio settings stay (no retyping to switch back); `forget`
    /// also removes its secret from the keyring.
    pub fn use_sandbox(
        &self,
        forget: bool,
        source: WriteSource,
        actor: &str,
    ) -> Result<ProviderView, EngineError> {
        let mut next = self.settings()?;
        if forget {
            if let Some(twilio) = &next.twilio {
                self.keyring.delete(&twilio.keyring_account())?;
            }
            next.twilio = None;
            if let Some(gateway) = &next.smsgate {
                match self.keyring.delete(&gateway.keyring_account()) {
                    Ok(()) | Err(SecretError::Missing) => {}
                    Err(err) => return Err(err.into()),
                }
            }
            next.smsgate = None;
        }
        next.provider = ProviderKind::Sandbox;
        self.store
            .save_settings(&next, self.audit(actor, source, "provider", "use_sandbox"))?;
        self.set_provider(self.sandbox_provider());
        self.clear_pause()?;
        self.publish(source, vec![Change::Settings]);
        self.provider_view()
    }

    /// A text to the desk's own phone through the connected provider, to see one arrive.
    /// It is recorded like any text (delivery status included) but to no client.
    pub async fn send_test_text(
        &self,
        typed_number: &str,
        source: WriteSource,
        actor: &str,
    ) -> Result<OutboxMessage, EngineError> {
        let settings = self.settings()?;
        let to = tidings_domain::parse_phone(typed_number, &settings.phone_region)
            .map_err(|e| bad_input("to", e.to_string()))?;
        let body = format!(
            "Test text from {} via Tidings. Texts to your customers will come from this number.",
            if settings.business_name.is_empty() {
                "your front desk"
            } else {
                &settings.business_name
            }
        );
        let (id, delivery) = self
            .send_direct(None, None, &to, &body, crate::outbox::DirectKind::Test)
            .await?;
        if let crate::outbox::Delivery::NotSent { reason, .. } = delivery {
            // The desk is waiting to see this one arrive: it is not retried behind their back.
            self.store
                .finish_failed(id, "retry_wait", "failed", None, &reason, self.now())?;
            self.store
                .finish_failed(id, "planned", "failed", None, &reason, self.now())?;
            self.publish(source, vec![Change::Messages]);
            return Err(bad_input(
                "to",
                format!("The test text was not sent: {reason}"),
            ));
        }
        self.store
            .append_audit(self.audit(actor, source, "provider", "test_text"))?;
        self.publish(source, vec![Change::Messages]);
        self.outbox_message(id)
    }

    /// The provider in use and whether it is answering (Today's warning).
    pub fn provider_health(&self) -> Result<ProviderHealth, EngineError> {
        Ok(ProviderHealth {
            kind: self.provider().kind(),
            silent_since: self.provider_silent_since()?,
        })
    }

    /// Since when the provider in use has not answered, while it has not.
    pub fn provider_silent_since(&self) -> Result<Option<DateTime<Utc>>, EngineError> {
        if self.provider().kind() == ProviderKind::Sandbox {
            return Ok(None);
        }
        Ok(self
            .store
            .kv_get(SILENT_KEY)?
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)))
    }

    /// The provider answered: any "not answering since" is over.
    pub(crate) fn note_provider_answered(&self) -> Result<(), EngineError> {
        if self
            .store
            .kv_get(SILENT_KEY)?
            .is_some_and(|t| !t.is_empty())
        {
            self.store.kv_set(SILENT_KEY, "", self.now())?;
            self.publish(WriteSource::Background, vec![Change::Settings]);
        }
        Ok(())
    }

    /// The provider did not answer: remembered from the first time, so the desk sees since when.
    pub(crate) fn note_provider_silent(&self) -> Result<(), EngineError> {
        if self.store.kv_get(SILENT_KEY)?.is_none_or(|t| t.is_empty()) {
            let now = self
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            self.store.kv_set(SILENT_KEY, &now, self.now())?;
            self.publish(WriteSource::Background, vec![Change::Settings]);
        }
        Ok(())
    }

    /// Why sending is paused, if it is.
    pub fn sending_paused(&self) -> Result<Option<String>, EngineError> {
        Ok(self.store.kv_get(PAUSE_KEY)?.filter(|r| !r.is_empty()))
    }

    pub(crate) fn pause_sending(&self, reason: &str) -> Result<(), EngineError> {
        if self.sending_paused()?.as_deref() != Some(reason) {
            tracing::warn!("sending paused: {reason}");
            self.store.kv_set(PAUSE_KEY, reason, self.now())?;
            self.publish(WriteSource::Background, vec![Change::Settings]);
        }
        Ok(())
    }

    pub(crate) fn clear_pause(&self) -> Result<(), EngineError> {
        self.store.kv_set(PAUSE_KEY, "", self.now())?;
        // A provider just connected or resumed starts with a clean record.
        self.store.kv_set(SILENT_KEY, "", self.now())?;
        Ok(())
    }

    /// Pauses sending on purpose (the tray's "Pause sending"): nothing goes out until resumed.
    pub fn pause_sending_by_user(&self, source: WriteSource) -> Result<ProviderView, EngineError> {
        self.pause_sending(PAUSED_BY_USER)?;
        self.publish(source, vec![Change::Settings]);
        self.provider_view()
    }

    /// "Resume sending" after fixing what paused it: reloads the provider (the secret may
    /// have been unlocked) and lets the dispatcher go on.
    pub fn resume_sending(&self, source: WriteSource) -> Result<ProviderView, EngineError> {
        self.load_provider()?;
        self.clear_pause()?;
        self.publish(source, vec![Change::Settings]);
        self.provider_view()
    }

    /// How long a text whose send had no clear answer is given to appear in the provider's
    /// records before "not there" counts: the desk's setting, or the provider's own figure.
    pub(crate) fn records_lag(&self) -> StdDuration {
        match self
            .settings()
            .ok()
            .and_then(|s| s.provider_records_lag_seconds)
        {
            Some(seconds) => StdDuration::from_secs(u64::from(seconds)),
            None => self.provider().records_lag(),
        }
    }

    /// Invariant 3: every text left `sending` — claimed by a process that stopped mid-send, or
    /// sent without a clear answer — is matched against the provider's own records before
    /// anything resends it. Found: settled with the provider's id. Not there once the
    /// provider's records have had time to show it: due again, through the gate. Otherwise it
    /// waits for a later pass. Runs under the sender lease, so every `sending` row it sees
    /// belongs to no live send (invariant 4). Returns how many were settled.
    pub(crate) async fn reconcile_claimed(&self) -> Result<u32, EngineError> {
        let _lease = self.sender.acquire(crate::lease::LEASE_WAIT).await?;
        let now = self.now();
        let provider = self.provider();
        let lag = self.records_lag();
        let mut settled = 0;
        for claimed in self.store.claimed_messages()? {
            let m = &claimed.message;
            if m.body.is_empty() {
                // Stopped between the claim and writing the text down: it never reached the
                // provider.
                self.store.release_claim(m.id, now)?;
                self.replan_if_moved(m)?;
                continue;
            }
            // An hour of slack for a desk clock that disagrees with the provider's.
            let since = claimed.claimed_at.unwrap_or(now - Duration::days(1)) - Duration::hours(1);
            let mut found = None;
            for record in provider.messages_to(&m.to, since).await? {
                if record.body == m.body && !self.store.provider_id_known(&record.provider_id)? {
                    found = Some(record);
                    break;
                }
            }
            if let Some(record) = found {
                let status = message_status(record.status);
                self.store
                    .settle_claimed(m.id, &record.provider_id, status.as_str(), now)?;
                self.after_settle(m, status)?;
                settled += 1;
                continue;
            }
            // Not there (yet): "not there" only counts once the provider has had time to
            // list it, measured on the computer's real clock from when the question arose.
            let now_ms = real_now_ms();
            let asked_since = self.store.note_unknown_since(m.id, now_ms)?;
            let waited = StdDuration::from_millis(now_ms.saturating_sub(asked_since).max(0) as u64);
            if waited < lag {
                continue;
            }
            if claimed.unknown_since_ms.is_some() && claimed.attempts > 0 {
                // A send without a clear answer, now known not to have arrived.
                let reason = m.reason.as_deref().unwrap_or_default();
                let reason = reason.trim_start_matches("checking with the provider: ");
                if claimed.attempts >= MAX_ATTEMPTS {
                    self.store.finish_failed(
                        m.id,
                        "sending",
                        "failed",
                        None,
                        &format!("gave up after {} attempts: {reason}", claimed.attempts),
                        now,
                    )?;
                } else {
                    let wait = backoff(claimed.attempts, fastrand::f64());
                    self.store.release_unknown(
                        m.id,
                        now + wait,
                        &format!(
                            "will retry: the provider has no record of the last attempt ({reason})"
                        ),
                        now,
                    )?;
                }
            } else {
                self.store.release_claim(m.id, now)?;
            }
            // Back to waiting (or failed): if its appointment moved meanwhile, the new time is
            // planned now rather than when this one next comes due.
            self.replan_if_moved(m)?;
        }
        if settled > 0 {
            self.publish(WriteSource::Background, vec![Change::Messages]);
        }
        Ok(settled)
    }

    /// Whether any text is waiting for the provider's records to say whether it went.
    pub(crate) fn has_unsettled(&self) -> bool {
        self.store.unsettled_count().is_ok_and(|n| n > 0)
    }

    /// What a provider failure does to the message and to sending (DESIGN's providers).
    pub(crate) async fn after_failure(
        &self,
        m: &MessageRow,
        err: ProviderError,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure, EngineError> {
        match err {
            ProviderError::Transient {
                reason,
                retry_after,
            } => self.retry_or_fail(m, &reason, retry_after, now),
            ProviderError::Ambiguous(reason) => {
                // The text may have gone: it stays claimed, one attempt used, until the
                // provider's own records say (the next passes' reconcile).
                self.store.mark_outcome_unknown(
                    m.id,
                    &format!("checking with the provider: {reason}"),
                    real_now_ms(),
                    now,
                )?;
                Ok(AfterFailure::Continue)
            }
            ProviderError::Storage(reason) | ProviderError::NotFound(reason) => {
                self.retry_or_fail(m, &reason, None, now)
            }
            ProviderError::CredentialsRejected | ProviderError::Unavailable(_) => {
                // No attempt burned: the text waits, unchanged, until sending resumes.
                self.store.release_claim(m.id, now)?;
                self.pause_sending(&err.to_string())?;
                Ok(AfterFailure::Stop)
            }
            ProviderError::RecipientOptedOut => {
                self.store.finish_failed(
                    m.id,
                    "sending",
                    "failed",
                    Some("21610"),
                    describe_error_code("21610"),
                    now,
                )?;
                if let Some(client_id) = m.client_id {
                    self.carrier_opt_out(client_id, m.id)?;
                }
                Ok(AfterFailure::Continue)
            }
            ProviderError::InvalidNumber(detail) => {
                self.store
                    .finish_failed(m.id, "sending", "failed", None, &detail, now)?;
                if let Some(client_id) = m.client_id {
                    self.store.mark_unreachable(client_id, &detail, now)?;
                    self.store.cancel_live_for_client(
                        client_id,
                        SuppressReason::InvalidNumber.as_str(),
                        now,
                    )?;
                    self.publish(
                        WriteSource::Background,
                        vec![Change::Client { id: client_id }],
                    );
                }
                Ok(AfterFailure::Continue)
            }
            ProviderError::Permanent { code, message } => {
                let reason = if code.chars().all(|c| c.is_ascii_digit()) {
                    format!("{} ({message})", describe_error_code(&code))
                } else {
                    message
                };
                self.store
                    .finish_failed(m.id, "sending", "failed", Some(&code), &reason, now)?;
                Ok(AfterFailure::Continue)
            }
        }
    }

    fn retry_or_fail(
        &self,
        m: &MessageRow,
        reason: &str,
        retry_after: Option<StdDuration>,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure, EngineError> {
        let used = self.store.attempts(m.id)? + 1;
        if used >= MAX_ATTEMPTS {
            self.store.finish_failed(
                m.id,
                "sending",
                "failed",
                None,
                &format!("gave up after {used} attempts: {reason}"),
                now,
            )?;
        } else {
            let wait = retry_after
                .and_then(|d| Duration::from_std(d).ok())
                .unwrap_or_else(|| backoff(used, fastrand::f64()));
            self.store
                .schedule_retry(m.id, now + wait, &format!("will retry: {reason}"), now)?;
        }
        Ok(AfterFailure::Continue)
    }

    /// The carrier reports the customer opted out (Twilio 21610): recorded as a revocation
    /// with channel "provider report", and nothing more goes to them.
    fn carrier_opt_out(&self, client_id: i64, message_id: i64) -> Result<(), EngineError> {
        let now = self.now();
        let settings = self.settings()?;
        let Some(client) = self.store.client(client_id)? else {
            return Ok(());
        };
        for disclosure in self.store.current_disclosures()? {
            if client.consent.get(disclosure.purpose) == ConsentState::Revoked {
                continue;
            }
            self.store.append_consent(&NewConsentEvent {
                client_id,
                purpose: disclosure.purpose,
                action: ConsentAction::Revoked,
                channel: ConsentChannel::ProviderReport,
                disclosure: &disclosure,
                business_name: &settings.business_name,
                recorded_by: "engine",
                occurred_at: now,
                recorded_at: now,
                evidence: Some(
                    "The carrier refused a text: the recipient has opted out (Twilio 21610)",
                ),
                message_id: Some(message_id),
            })?;
        }
        self.store
            .cancel_live_for_client(client_id, SuppressReason::OptedOut.as_str(), now)?;
        self.publish(
            WriteSource::Background,
            vec![Change::Client { id: client_id }],
        );
        Ok(())
    }

    /// Whether any sent text is still waiting for its delivery report.
    pub(crate) fn awaiting_delivery(&self) -> Result<bool, EngineError> {
        let since = self.now() - Duration::hours(DELIVERY_WINDOW_HOURS);
        Ok(!self
            .store
            .awaiting_delivery(since, self.now(), 1)?
            .is_empty())
    }

    /// Asks the provider about sent texts until each is delivered, undelivered or failed (or
    /// 72 hours pass). Returns how many changed.
    pub(crate) async fn poll_delivery(&self) -> Result<u32, EngineError> {
        let now = self.now();
        let since = now - Duration::hours(DELIVERY_WINDOW_HOURS);
        let mut changed = self.store.expire_delivery(since, now)? as u32;
        let provider = self.provider();
        for m in self.store.awaiting_delivery(since, now, 50)? {
            let Some(provider_id) = m.provider_id.as_deref() else {
                continue;
            };
            let report = match provider.fetch_status(provider_id).await {
                Ok(report) => report,
                Err(ProviderError::CredentialsRejected | ProviderError::Unavailable(_)) => break,
                Err(err) => {
                    tracing::debug!(message = m.id, "no delivery report yet: {err}");
                    continue;
                }
            };
            let status = message_status(report.status);
            // A carrier's code in words (Twilio), or the provider's own words (the gateway
            // phone's per-recipient error).
            let reason = match (
                report.error_code.as_deref(),
                report.error_message.as_deref(),
            ) {
                (Some(code), _) => Some(format!(
                    "{} (carrier error {code})",
                    describe_error_code(code)
                )),
                (None, Some(words)) => Some(words.to_owned()),
                (None, None) => None,
            };
            if self.store.record_delivery(
                m.id,
                status.as_str(),
                report.error_code.as_deref(),
                reason.as_deref(),
                now,
            )? && status != MessageStatus::Sent
            {
                self.replan_if_moved(&m)?;
                changed += 1;
            }
        }
        if changed > 0 {
            self.publish(WriteSource::Background, vec![Change::Messages]);
        }
        Ok(changed)
    }

    /// Whether reminders are handed to the provider ahead of time: Twilio with a Messaging
    /// Service (DESIGN invariant 6).
    pub(crate) fn hands_off(&self) -> bool {
        self.provider().kind() == ProviderKind::Twilio
            && self
                .settings()
                .ok()
                .and_then(|s| s.twilio)
                .is_some_and(|t| t.messaging_service_sid.is_some())
    }

    /// Hands reminders due 15 minutes to 7 days from now to the provider, each through the
    /// gate as of its own send time, so they go out even when this computer is off.
    pub(crate) async fn hand_off_ahead(
        &self,
        now: DateTime<Utc>,
        report: &mut crate::TickReport,
    ) -> Result<(), EngineError> {
        let from = now + Duration::minutes(HAND_OFF_MIN_MINUTES);
        let to = now + Duration::days(HAND_OFF_MAX_DAYS);
        for m in self.store.plannable_ahead(from, to, 200)? {
            let Some(at) = m.send_at else { continue };
            if let AfterFailure::Stop = self.process_as(m.id, now, Some(at), false, report).await? {
                break;
            }
        }
        Ok(())
    }

    /// Makes the provider-side cancels that changes queued (a reschedule, a cancellation, an
    /// opt-out). A text the provider already sent is recorded as sent.
    pub(crate) async fn process_cancellations(&self) -> Result<AfterFailure, EngineError> {
        let _lease = self.sender.acquire(crate::lease::LEASE_WAIT).await?;
        let provider = self.provider();
        for pending in self.store.pending_cancellations(100)? {
            let now = self.now();
            match provider.cancel_scheduled(&pending.provider_id).await {
                Ok(()) => self
                    .store
                    .record_cancellation(pending.id, true, "cancelled", now)?,
                Err(ProviderError::Permanent { .. }) => {
                    // Too late: it has gone out. The record must say what really happened.
                    let status = provider.fetch_status(&pending.provider_id).await;
                    if matches!(&status, Ok(r) if r.status == ProviderStatus::Canceled) {
                        self.store
                            .record_cancellation(pending.id, true, "cancelled", now)?;
                    } else {
                        self.store.mark_sent_anyway(pending.message_id, now)?;
                        self.store
                            .record_cancellation(pending.id, true, "already_sent", now)?;
                        self.publish(WriteSource::Background, vec![Change::Messages]);
                    }
                }
                Err(ProviderError::NotFound(_)) => self.store.record_cancellation(
                    pending.id,
                    true,
                    "unknown at the provider",
                    now,
                )?,
                Err(err @ (ProviderError::CredentialsRejected | ProviderError::Unavailable(_))) => {
                    self.pause_sending(&err.to_string())?;
                    return Ok(AfterFailure::Stop);
                }
                Err(err) => {
                    // Tried again next pass; nothing new is handed off meanwhile.
                    tracing::warn!("a scheduled text could not be cancelled yet: {err}");
                    self.store
                        .record_cancellation(pending.id, false, &err.to_string(), now)?;
                    return Ok(AfterFailure::Stop);
                }
            }
        }
        Ok(AfterFailure::Continue)
    }

    /// The window was shown or hidden (the shell tells the engine).
    pub fn set_window_open(&self, open: bool) {
        self.window_open.store(open, Ordering::SeqCst);
        if open {
            self.wake.notify_one();
        }
    }

    pub(crate) fn note_sent(&self) {
        self.last_sent
            .store(self.now().timestamp(), Ordering::SeqCst);
    }

    /// How long ago a text last went out, if one has since this process started.
    fn since_last_sent(&self) -> Option<Duration> {
        let last = self.last_sent.load(Ordering::SeqCst);
        (last > 0).then(|| self.now() - DateTime::from_timestamp(last, 0).unwrap_or_default())
    }

    /// Whether a text went out in the last `within`.
    pub(crate) fn sent_within(&self, within: Duration) -> bool {
        self.since_last_sent().is_some_and(|since| since <= within)
    }

    pub(crate) fn reply_poll_interval(&self) -> StdDuration {
        poll_interval(
            self.is_real_provider(),
            self.window_open.load(Ordering::SeqCst),
            self.since_last_sent(),
            self.poll_failures.load(Ordering::SeqCst),
        )
    }

    pub(crate) fn is_real_provider(&self) -> bool {
        self.provider().kind() != ProviderKind::Sandbox
    }
}

/// The computer's real clock in Unix milliseconds. The provider's records lag in real time,
/// whatever the engine's clock says (a pinned `--now`, a test clock).
fn real_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_poller_speeds_up_when_answers_are_likely_and_backs_off_on_errors() {
        let secs = |d: StdDuration| d.as_secs();
        assert_eq!(secs(poll_interval(false, true, None, 0)), 300, "Sandbox");
        assert_eq!(secs(poll_interval(true, false, None, 0)), 120, "idle");
        assert_eq!(secs(poll_interval(true, true, None, 0)), 15, "window open");
        assert_eq!(
            secs(poll_interval(true, false, Some(Duration::minutes(5)), 0)),
            15,
            "a text just went out"
        );
        assert_eq!(
            secs(poll_interval(true, false, Some(Duration::hours(2)), 0)),
            120
        );
        assert_eq!(secs(poll_interval(true, true, None, 1)), 30);
        assert_eq!(secs(poll_interval(true, true, None, 3)), 120);
        assert_eq!(secs(poll_interval(true, true, None, 30)), 600, "capped");
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        assert_eq!(backoff(1, 0.5), Duration::seconds(30));
        assert_eq!(backoff(2, 0.5), Duration::seconds(60));
        assert_eq!(backoff(1, 0.0), Duration::seconds(15));
        assert_eq!(backoff(1, 1.0), Duration::seconds(45));
        assert_eq!(backoff(20, 0.5), Duration::seconds(1800));
    }
}
