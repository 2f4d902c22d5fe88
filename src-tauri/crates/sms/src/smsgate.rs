//! The desk's own Android phone as the SMS gateway: the open-source SMSGate app's local server
//! (`http://<phone-ip>:8080/`, HTTP Basic auth), as its own OpenAPI description has it
//! (`tests/contracts/smsgate_local_api.json`; the contract tests run every request here
//! against it).
//!
//! Every text is sent with our own message id: the gateway refuses a second message with an
//! id it already has (409), so a resend after a lost answer can never text twice; the 409 is
//! answered by looking the message up. Nothing is scheduled at the phone: reminders go when
//! due, from the desk. Replies are polled from `/inbox` (the phone's webhooks need HTTPS or the
//! phone itself as the receiver, and the desk has no public address).

use std::collections::HashSet;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::ProviderKind;

use crate::{
    InboundPage, InboundText, OutboundText, Provider, ProviderError, ProviderRecord,
    ProviderStatus, SendReceipt, Sensitive, StatusReport,
};

/// How many received texts one page of `/inbox` asks for (the API allows up to 500).
pub const INBOX_PAGE: u32 = 100;
/// The most pages one poll reads; a phone with more unread history is read over several polls.
const MAX_PAGES: u32 = 20;

/// How to reach the gateway phone.
#[derive(Debug, Clone)]
pub struct SmsGateConfig {
    /// `http://192.168.1.20:8080`, as the app shows it.
    pub base_url: String,
    pub username: String,
    pub password: Sensitive<String>,
    /// Per request. A phone in Doze can be slow to answer.
    pub timeout: Duration,
}

/// The SMSGate provider.
#[derive(Debug, Clone)]
pub struct SmsGateProvider {
    config: SmsGateConfig,
    http: reqwest::Client,
}

/// The body of `POST /messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendRequest {
    /// Ours, so a resend is recognised (at most 36 characters).
    pub id: String,
    pub text_message: TextMessage,
    pub phone_numbers: Vec<String>,
    pub with_delivery_report: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMessage {
    pub text: String,
}

/// `GetMessageResponse` / `MessageState`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageState {
    pub id: String,
    #[serde(default)]
    pub device_id: Option<String>,
    /// "Pending", "Processed", "Sent", "Delivered", "Failed" (the app also says "Cancelled"):
    /// read leniently.
    pub state: String,
    #[serde(default)]
    pub recipients: Vec<RecipientState>,
    /// When each state was reached.
    #[serde(default)]
    pub states: std::collections::HashMap<String, String>,
    #[serde(default)]
    pub text_message: Option<TextMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientState {
    pub phone_number: String,
    pub state: String,
    #[serde(default)]
    pub error: Option<String>,
}

/// `IncomingMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingMessage {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub sender: String,
    #[serde(default)]
    pub recipient: Option<String>,
    pub content_preview: String,
    pub created_at: String,
}

/// `HealthResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct HealthResponse {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub checks: std::collections::HashMap<String, HealthCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub observed_value: Option<i64>,
    #[serde(default)]
    pub observed_unit: Option<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayCheck {
    /// The app's version, when it says.
    pub version: Option<String>,
    /// Health checks that are not passing, in words ("battery: 12 %").
    pub warnings: Vec<String>,
}

/// `ErrorResponse` (the app often sends only `message`, or nothing).
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
}

/// A state word as the provider-neutral status.
pub fn status_of(state: &str) -> ProviderStatus {
    match state.to_ascii_lowercase().as_str() {
        "pending" | "processed" => ProviderStatus::Queued,
        "sent" => ProviderStatus::Sent,
        "delivered" => ProviderStatus::Delivered,
        "failed" => ProviderStatus::Failed,
        "cancelled" | "canceled" | "cancelling" => ProviderStatus::Canceled,
        // A state this version does not know: still on its way, asked about again later.
        _ => ProviderStatus::Queued,
    }
}

/// The error a failed recipient reports, in words the desk can act on.
pub fn describe_gateway_error(error: &str) -> String {
    let lower = error.to_ascii_lowercase();
    if lower.contains("generic failure") || lower.contains("generic_failure") {
        "the phone's carrier refused the text (check the SIM has credit and signal)".into()
    } else if lower.contains("no service") || lower.contains("no_service") {
        "the gateway phone had no mobile signal".into()
    } else if lower.contains("radio off") || lower.contains("radio_off") {
        "the gateway phone's mobile network is off (airplane mode?)".into()
    } else if lower.contains("timeout") || lower.contains("ttl") || lower.contains("expired") {
        "the gateway phone did not send it in time (is it on, on Wi-Fi and charging?)".into()
    } else if lower.contains("limit") {
        "the gateway phone's own sending limit was reached".into()
    } else {
        format!("the gateway phone reported: {error}")
    }
}

const NOT_REACHED: &str = "the gateway phone could not be reached (is it on, on the same Wi-Fi, with the SMSGate app's local server started?)";

fn network(err: &reqwest::Error) -> ProviderError {
    let reason = if err.is_connect() {
        NOT_REACHED.to_owned()
    } else if err.is_timeout() {
        "the gateway phone did not answer in time".to_owned()
    } else if err.is_decode() || err.is_body() {
        "the gateway phone's answer was cut short".to_owned()
    } else {
        "the connection to the gateway phone broke off".to_owned()
    };
    ProviderError::Transient {
        reason,
        retry_after: None,
    }
}

fn classify(status: u16, body: &str) -> ProviderError {
    let message = serde_json::from_str::<ErrorBody>(body)
        .ok()
        .and_then(|b| b.message)
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    match status {
        401 | 403 => ProviderError::CredentialsRejected,
        404 => ProviderError::NotFound(message),
        400 | 422 => ProviderError::Permanent {
            code: status.to_string(),
            message,
        },
        503 => ProviderError::Transient {
            reason: format!("the gateway phone is not taking texts right now ({message})"),
            retry_after: None,
        },
        _ => ProviderError::Transient {
            reason: format!("the gateway phone answered {status}: {message}"),
            retry_after: None,
        },
    }
}

/// The reply cursor: the newest reply's time and the ids received at exactly that time (the
/// inbox can only be asked "from" a time, inclusively).
fn read_cursor(cursor: Option<&str>) -> (Option<DateTime<Utc>>, HashSet<String>) {
    let Some(cursor) = cursor else {
        return (None, HashSet::new());
    };
    let (at, ids) = cursor.split_once('|').unwrap_or((cursor, ""));
    let at = DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&Utc));
    let ids = ids
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (at, ids)
}

fn write_cursor(at: DateTime<Utc>, ids: &[String]) -> String {
    format!(
        "{}|{}",
        at.to_rfc3339_opts(SecondsFormat::Millis, true),
        ids.join(",")
    )
}

impl SmsGateProvider {
    pub fn new(config: SmsGateConfig) -> Result<Self, ProviderError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Tidings/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| ProviderError::Storage(format!("HTTP client: {err}")))?;
        Ok(Self { config, http })
    }

    pub fn config(&self) -> &SmsGateConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    fn authed(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.basic_auth(&self.config.username, Some(self.config.password.expose()))
    }

    /// Sends a request and returns the status and body; only network failures are errors here.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, String, reqwest::header::HeaderMap), ProviderError> {
        let response = self
            .authed(request)
            .send()
            .await
            .map_err(|err| network(&err))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(|err| network(&err))?;
        Ok((status, body, headers))
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ProviderError> {
        let (status, body, _) = self.exchange(request).await?;
        if !(200..300).contains(&status) {
            return Err(classify(status, &body));
        }
        serde_json::from_str(&body).map_err(|_| ProviderError::Transient {
            reason: "the gateway phone's answer could not be read".into(),
            retry_after: None,
        })
    }

    /// The body a text is sent with.
    pub fn send_request(&self, text: &OutboundText) -> SendRequest {
        SendRequest {
            id: text
                .key
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
            text_message: TextMessage {
                text: text.body.clone(),
            },
            phone_numbers: vec![text.to.clone()],
            with_delivery_report: true,
        }
    }

    /// One message's state.
    pub async fn message(&self, id: &str) -> Result<MessageState, ProviderError> {
        self.get_json(
            self.http
                .get(self.url(&format!("/messages/{}", urlencode(id)))),
        )
        .await
    }

    /// "Test connection": the phone answers its health check, and takes our username and
    /// password.
    pub async fn check(&self) -> Result<GatewayCheck, ProviderError> {
        let response = self
            .http
            .get(self.url("/health"))
            .send()
            .await
            .map_err(|err| network(&err))?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|err| network(&err))?;
        let health: HealthResponse = serde_json::from_str(&body).unwrap_or_default();
        if !(200..300).contains(&status) && health.status.is_none() {
            return Err(classify(status, &body));
        }
        let mut warnings: Vec<String> = health
            .checks
            .iter()
            .filter(|(_, c)| c.status.as_deref().is_some_and(|s| s != "pass"))
            .map(|(name, c)| {
                let value = match (c.observed_value, c.observed_unit.as_deref()) {
                    (Some(v), Some(unit)) => format!(": {v} {unit}"),
                    (Some(v), None) => format!(": {v}"),
                    _ => String::new(),
                };
                format!(
                    "{}{value}",
                    c.description.clone().unwrap_or_else(|| name.clone())
                )
            })
            .collect();
        warnings.sort();
        // The health check needs no password: a short list of replies proves it is right.
        self.get_json::<Vec<IncomingMessage>>(
            self.http
                .get(self.url("/inbox"))
                .query(&[("limit", "1"), ("type", "SMS")]),
        )
        .await?;
        Ok(GatewayCheck {
            version: health.version,
            warnings,
        })
    }
}

/// A path segment with anything but letters, digits, '-' and '_' percent-encoded.
fn urlencode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn receipt(state: &MessageState) -> SendReceipt {
    SendReceipt {
        provider_id: state.id.clone(),
        status: status_of(&state.state),
    }
}

fn report(state: &MessageState) -> StatusReport {
    let status = status_of(&state.state);
    let error = state
        .recipients
        .iter()
        .find_map(|r| r.error.clone().filter(|e| !e.trim().is_empty()));
    StatusReport {
        status,
        error_code: None,
        error_message: error.map(|e| describe_gateway_error(&e)),
    }
}

#[async_trait]
impl Provider for SmsGateProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::SmsGate
    }

    async fn send(&self, text: &OutboundText) -> Result<SendReceipt, ProviderError> {
        if text.send_at.is_some() {
            return Err(ProviderError::Permanent {
                code: "schedule".into(),
                message:
                    "the gateway phone does not hold texts for later; Tidings sends them when due"
                        .into(),
            });
        }
        let request = self.send_request(text);
        let (status, body, _) = match self
            .exchange(self.http.post(self.url("/messages")).json(&request))
            .await
        {
            Ok(answer) => answer,
            // The request may have reached the phone: the same id again is refused there if
            // so, and nothing resends it before the phone's records are asked (invariant 3).
            Err(ProviderError::Transient { reason, .. }) if reason != NOT_REACHED => {
                return Err(ProviderError::Ambiguous(reason))
            }
            Err(err) => return Err(err),
        };
        match status {
            200..=299 => {
                let mut accepted = serde_json::from_str::<MessageState>(&body)
                    .map(|s| receipt(&s))
                    .unwrap_or(SendReceipt {
                        provider_id: String::new(),
                        status: ProviderStatus::Queued,
                    });
                // An answer with no id (or none readable): the phone keeps the text under the
                // id we gave it, so that is where to ask after it.
                if accepted.provider_id.is_empty() {
                    accepted.provider_id = request.id.clone();
                }
                Ok(accepted)
            }
            // Sent before (a resend after a lost answer): the phone has it; say where it is.
            409 => match self.message(&request.id).await {
                Ok(state) => Ok(receipt(&state)),
                Err(_) => Ok(SendReceipt {
                    provider_id: request.id.clone(),
                    status: ProviderStatus::Queued,
                }),
            },
            // A server error may come after the text was queued.
            500..=502 | 504..=599 => Err(ProviderError::Ambiguous(format!(
                "the gateway phone answered {status}"
            ))),
            _ => Err(classify(status, &body)),
        }
    }

    async fn cancel_scheduled(&self, _provider_id: &str) -> Result<(), ProviderError> {
        // Nothing is ever scheduled at the phone.
        Ok(())
    }

    async fn fetch_status(&self, provider_id: &str) -> Result<StatusReport, ProviderError> {
        self.message(provider_id).await.map(|s| report(&s))
    }

    async fn list_inbound(&self, cursor: Option<&str>) -> Result<InboundPage, ProviderError> {
        let (since, seen) = read_cursor(cursor);
        let mut items: Vec<IncomingMessage> = Vec::new();
        for page in 0..MAX_PAGES {
            let mut query: Vec<(&str, String)> = vec![
                ("type", "SMS".into()),
                ("limit", INBOX_PAGE.to_string()),
                ("offset", (page * INBOX_PAGE).to_string()),
            ];
            if let Some(at) = since {
                query.push(("from", at.to_rfc3339_opts(SecondsFormat::Millis, true)));
            }
            let batch: Vec<IncomingMessage> = self
                .get_json(self.http.get(self.url("/inbox")).query(&query))
                .await?;
            let full = batch.len() == INBOX_PAGE as usize;
            items.extend(batch);
            if !full {
                break;
            }
        }
        let mut texts: Vec<InboundText> = items
            .into_iter()
            .filter(|m| m.kind.eq_ignore_ascii_case("SMS"))
            .filter_map(|m| {
                let at = DateTime::parse_from_rfc3339(&m.created_at)
                    .ok()?
                    .with_timezone(&Utc);
                let fresh = since.is_none_or(|s| at > s || (at == s && !seen.contains(&m.id)));
                fresh.then(|| InboundText {
                    provider_id: m.id,
                    from: m.sender,
                    to: m.recipient.unwrap_or_default(),
                    body: m.content_preview,
                    received_at: at,
                })
            })
            .collect();
        texts.sort_by(|a, b| {
            a.received_at
                .cmp(&b.received_at)
                .then(a.provider_id.cmp(&b.provider_id))
        });
        texts.dedup_by(|a, b| a.provider_id == b.provider_id);
        let next_cursor = match texts.last() {
            None => cursor.map(str::to_owned),
            Some(last) => {
                let at = last.received_at;
                let mut ids: Vec<String> = texts
                    .iter()
                    .filter(|t| t.received_at == at)
                    .map(|t| t.provider_id.clone())
                    .collect();
                if since == Some(at) {
                    ids.extend(seen.iter().cloned());
                }
                ids.sort();
                ids.dedup();
                Some(write_cursor(at, &ids))
            }
        };
        Ok(InboundPage { texts, next_cursor })
    }

    async fn messages_to(
        &self,
        to: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProviderRecord>, ProviderError> {
        let mut out = Vec::new();
        for page in 0..MAX_PAGES {
            let batch: Vec<MessageState> = self
                .get_json(self.http.get(self.url("/messages")).query(&[
                    ("from", since.to_rfc3339_opts(SecondsFormat::Secs, true)),
                    ("limit", INBOX_PAGE.to_string()),
                    ("offset", (page * INBOX_PAGE).to_string()),
                    ("includeContent", "true".into()),
                ]))
                .await?;
            let full = batch.len() == INBOX_PAGE as usize;
            for m in batch {
                if !m.recipients.iter().any(|r| r.phone_number == to) {
                    continue;
                }
                let created_at = m
                    .states
                    .get("Pending")
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or(since);
                out.push(ProviderRecord {
                    provider_id: m.id.clone(),
                    to: to.to_owned(),
                    body: m.text_message.map(|t| t.text).unwrap_or_default(),
                    status: status_of(&m.state),
                    created_at,
                });
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
