//! The desk's Android phone as the SMS gateway (SMSGate): testing, connecting and loading it.
//! Its password lives only in the OS keyring, like Twilio's secret.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tidings_domain::{Change, ProviderKind, SmsGateInput, SmsGateSettings, WriteSource};
use tidings_sms::{Provider, SecretError, Sensitive, SmsGateConfig, SmsGateProvider};
use ts_rs::TS;

use crate::provider::{ProviderView, UnavailableProvider};
use crate::{Engine, EngineError};

/// What "Test connection" found on the gateway phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GatewayStatus {
    /// The SMSGate app's version, when it says.
    pub version: Option<String>,
    /// What its health check says is not right ("Battery level in percent: 12 percent").
    pub warnings: Vec<String>,
}

/// A phone in Doze may take a while to answer.
const GATEWAY_TIMEOUT: Duration = Duration::from_secs(20);

fn config(settings: &SmsGateSettings, password: Sensitive<String>) -> SmsGateConfig {
    SmsGateConfig {
        base_url: settings.base_url.clone(),
        username: settings.username.clone(),
        password,
        timeout: GATEWAY_TIMEOUT,
    }
}

impl Engine {
    /// The provider for stored gateway settings, or one that says why it cannot send.
    pub(crate) fn smsgate_provider(
        &self,
        settings: Option<&SmsGateSettings>,
    ) -> Result<Arc<dyn Provider>, EngineError> {
        let Some(settings) = settings else {
            return Ok(Arc::new(UnavailableProvider(
                "No gateway phone is set up. Connect it in Settings → Provider.".into(),
                ProviderKind::SmsGate,
            )));
        };
        Ok(match self.keyring.get(&settings.keyring_account()) {
            Ok(password) => Arc::new(SmsGateProvider::new(config(settings, password))?),
            Err(err) => Arc::new(UnavailableProvider(
                format!("Tidings can't read the gateway phone's password: {err}"),
                ProviderKind::SmsGate,
            )),
        })
    }

    /// The settings and password a form describes; an empty password means "the one stored".
    fn smsgate_from_input(
        &self,
        input: &SmsGateInput,
    ) -> Result<(SmsGateSettings, Sensitive<String>), EngineError> {
        let settings = input.validate()?;
        let typed = input.password.trim();
        let password = if typed.is_empty() {
            match self.keyring.get(&settings.keyring_account()) {
                Ok(password) => password,
                Err(SecretError::Missing) => {
                    return Err(tidings_domain::SmsGateSettingsError::Password.into())
                }
                Err(err) => return Err(err.into()),
            }
        } else {
            Sensitive::new(typed.to_owned())
        };
        Ok((settings, password))
    }

    /// Asks the phone's health check and signs in, without sending or saving anything.
    pub async fn test_smsgate(&self, input: &SmsGateInput) -> Result<GatewayStatus, EngineError> {
        let (settings, password) = self.smsgate_from_input(input)?;
        let check = SmsGateProvider::new(config(&settings, password))?
            .check()
            .await?;
        Ok(GatewayStatus {
            version: check.version,
            warnings: check.warnings,
        })
    }

    /// Connects the gateway phone: checks it answers and takes the password, stores the
    /// password in the keyring, saves the settings (no password) and sends through it from
    /// now on. Nothing is saved if any step fails. Every text's history stays.
    pub async fn connect_smsgate(
        &self,
        input: &SmsGateInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<ProviderView, EngineError> {
        let (gateway, password) = self.smsgate_from_input(input)?;
        let provider = SmsGateProvider::new(config(&gateway, password.clone()))?;
        provider.check().await?;
        self.keyring.set(&gateway.keyring_account(), &password)?;
        let mut next = self.settings()?;
        let first = next.smsgate.as_ref().map(|g| &g.base_url) != Some(&gateway.base_url);
        next.smsgate = Some(gateway);
        next.provider = ProviderKind::SmsGate;
        self.store.save_settings(
            &next,
            self.audit(actor, source, "provider", "connect_smsgate"),
        )?;
        if first {
            // Replies are read from the moment of connecting, not the phone's whole inbox.
            let key = crate::inbound::cursor_key(ProviderKind::SmsGate);
            let now = self
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            self.store.kv_set(&key, &format!("{now}|"), self.now())?;
        }
        self.set_provider(Arc::new(provider));
        self.clear_pause()?;
        self.publish(source, vec![Change::Settings]);
        self.provider_view()
    }
}
