//! Which provider is connected (secrets in the keyring), testing and switching it, whether it
//! is answering, and pausing and resuming sending.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::{Change, ProviderKind, TwilioInput, TwilioSettings, WriteSource};
use tidings_sms::twilio::DEFAULT_BASE_URL;
use tidings_sms::{
    InboundPage, KeyringState, OutboundText, Provider, ProviderError, ProviderRecord, SecretError,
    SendReceipt, Sender, Sensitive, StatusReport, TwilioConfig, TwilioProvider,
};
use ts_rs::TS;

use crate::error::bad_input;
use crate::{Engine, EngineError, OutboxMessage};

const PAUSE_KEY: &str = "sending_paused";
/// The pause reason when someone chose to pause.
pub const PAUSED_BY_USER: &str = "Sending is paused from the tray menu. Choose Resume sending there or in Settings to send again.";

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
        if let Some(refusal) = self.test_text_refusal(&to)? {
            return Err(bad_input("to", refusal));
        }
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

    /// Why a test text may not go to this number: it belongs to a customer who opted out, or
    /// it texted STOP before any client had it (a STOP is honoured whoever types the number).
    fn test_text_refusal(&self, to: &str) -> Result<Option<String>, EngineError> {
        use tidings_domain::ConsentState;
        let stop = self.store.number_opt_out(
            to,
            crate::number_opt_outs::NUMBER_OPT_OUT,
            crate::number_opt_outs::NUMBER_OPT_IN,
        )?;
        let client = self.store.client_by_phone(to)?;
        let opted_out = client
            .as_ref()
            .is_some_and(|c| c.consent.service == ConsentState::Revoked);
        Ok(match (client, opted_out, stop) {
            (Some(c), true, _) => Some(format!(
                "{to} is {}'s number, and they opted out of texts. Nothing goes to it until they \
                 text START. Send the test text to the desk's own phone.",
                c.name
            )),
            (None, _, Some(_)) => Some(format!(
                "{to} texted STOP, so nothing goes to it until it texts START. Send the test \
                 text to the desk's own phone."
            )),
            _ => None,
        })
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
}
