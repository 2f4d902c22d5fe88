//! Twilio's Programmable Messaging REST API (2010-04-01) over reqwest with rustls.
//!
//! Requests follow Twilio's own OpenAPI description (the contract tests run every one of them
//! against it); failures are classified into [`ProviderError`] by HTTP status and Twilio's
//! error code, so the dispatcher knows whether to retry, stop or pause.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use tidings_domain::ProviderKind;

use crate::{
    InboundPage, InboundText, OutboundText, Provider, ProviderError, ProviderRecord,
    ProviderStatus, SendReceipt, Sensitive, StatusReport,
};

/// Twilio's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";
const API: &str = "/2010-04-01";
/// Twilio's largest page.
const PAGE_SIZE: u32 = 1000;
/// How many pages one listing may walk before it stops (a runaway `next_page_uri` guard).
const MAX_PAGES: usize = 100;

/// Who sends: a Twilio number, or a Messaging Service (which can also hold scheduled texts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// E.164.
    Number(String),
    /// `MG…`.
    MessagingService(String),
}

/// Everything needed to talk to one Twilio account.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `AC…`: the account the messages belong to (part of every URL).
    pub account_sid: String,
    /// `SK…` when signing in with an API key; `None` signs in with the account SID and
    /// Auth Token.
    pub api_key_sid: Option<String>,
    /// The API key secret or the Auth Token.
    pub secret: Sensitive<String>,
    pub sender: Sender,
    /// `https://api.twilio.com` unless pointed elsewhere (tests, a proxy).
    pub base_url: String,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl TwilioConfig {
    pub fn new(account_sid: &str, secret: Sensitive<String>, sender: Sender) -> Self {
        Self {
            account_sid: account_sid.to_owned(),
            api_key_sid: None,
            secret,
            sender,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(20),
        }
    }

    fn username(&self) -> &str {
        self.api_key_sid.as_deref().unwrap_or(&self.account_sid)
    }
}

/// The Twilio provider.
#[derive(Debug, Clone)]
pub struct TwilioProvider {
    config: TwilioConfig,
    http: reqwest::Client,
}

/// A Message resource as Twilio returns it (only the fields Tidings reads).
#[derive(Debug, Clone, Deserialize)]
pub struct TwilioMessage {
    pub sid: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub date_sent: Option<String>,
    #[serde(default)]
    pub error_code: Option<i64>,
    #[serde(default)]
    pub error_message: Option<String>,
}

/// One page of a Message list.
#[derive(Debug, Clone, Deserialize)]
pub struct TwilioPage {
    #[serde(default)]
    pub messages: Vec<TwilioMessage>,
    #[serde(default)]
    pub next_page_uri: Option<String>,
}

/// The account, as "Test connection" reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct TwilioAccount {
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TwilioErrorBody {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

/// Twilio's date format (RFC 2822), with RFC 3339 accepted too.
pub fn parse_twilio_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text)
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Twilio's status words.
pub fn parse_status(text: &str) -> ProviderStatus {
    match text {
        "scheduled" => ProviderStatus::Scheduled,
        "accepted" | "queued" | "sending" => ProviderStatus::Queued,
        "sent" => ProviderStatus::Sent,
        "delivered" | "read" => ProviderStatus::Delivered,
        "undelivered" => ProviderStatus::Undelivered,
        "failed" => ProviderStatus::Failed,
        "canceled" => ProviderStatus::Canceled,
        "received" | "receiving" => ProviderStatus::Delivered,
        _ => ProviderStatus::Queued,
    }
}

/// Reads `Retry-After` given in seconds (Twilio's form); an HTTP date is not used by Twilio.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// What an HTTP failure from Twilio means for the dispatcher.
pub fn classify(status: u16, body: &str, retry: Option<Duration>) -> ProviderError {
    let parsed: Option<TwilioErrorBody> = serde_json::from_str(body).ok();
    let code = parsed.as_ref().and_then(|b| b.code);
    let message = parsed
        .as_ref()
        .and_then(|b| b.message.clone())
        .unwrap_or_else(|| format!("HTTP {status}"));
    match (status, code) {
        (_, Some(21610)) => ProviderError::RecipientOptedOut,
        (_, Some(c @ (21211 | 21614 | 21408 | 21612))) => {
            ProviderError::InvalidNumber(format!("{message} (Twilio {c})"))
        }
        (401, _) | (_, Some(20003)) => ProviderError::CredentialsRejected,
        (429, _) | (_, Some(20429)) => ProviderError::Transient {
            reason: format!("Twilio is limiting the rate of requests ({message})"),
            retry_after: retry,
        },
        (404, _) => ProviderError::NotFound(message),
        (500..=599, _) => ProviderError::Transient {
            reason: format!("Twilio answered with an error on its side (HTTP {status})"),
            retry_after: retry,
        },
        (_, c) => ProviderError::Permanent {
            code: c.map_or_else(|| status.to_string(), |c| c.to_string()),
            message,
        },
    }
}

const NOT_REACHED: &str = "Tidings could not reach Twilio (check the internet connection)";

/// What a failed request means when it asked Twilio to create a text, where "did Twilio take
/// it?" matters: only a connection that never opened, or an answer Twilio gave (a refusal, a
/// rate limit), proves nothing was sent. Anything else (a timeout after connecting, a reset,
/// an answer cut short, an error on Twilio's side) may follow an accepted text.
fn unless_proved_unsent(err: ProviderError, connect_failed: bool) -> ProviderError {
    match err {
        ProviderError::Transient { reason, .. } if !connect_failed => {
            ProviderError::Ambiguous(reason)
        }
        other => other,
    }
}

/// How long a reconcile waits for a possibly accepted text to show in Twilio's list before
/// taking "not there" as an answer.
pub const RECORDS_LAG: Duration = Duration::from_secs(20);

fn network(err: &reqwest::Error) -> ProviderError {
    let reason = if err.is_connect() {
        NOT_REACHED.to_owned()
    } else if err.is_timeout() {
        "Twilio did not answer in time".to_owned()
    } else if err.is_decode() || err.is_body() {
        "Twilio's answer was cut short".to_owned()
    } else {
        "the connection to Twilio broke off".to_owned()
    };
    ProviderError::Transient {
        reason,
        retry_after: None,
    }
}

impl TwilioProvider {
    pub fn new(config: TwilioConfig) -> Result<Self, ProviderError> {
        // reqwest is built without a bundled crypto provider; ring is ours. Installing it twice
        // is harmless (the second attempt just reports the first).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Tidings/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| ProviderError::Storage(format!("HTTP client: {err}")))?;
        Ok(Self { config, http })
    }

    pub fn config(&self) -> &TwilioConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    fn messages_url(&self) -> String {
        self.url(&format!(
            "{API}/Accounts/{}/Messages.json",
            self.config.account_sid
        ))
    }

    fn message_url(&self, sid: &str) -> String {
        self.url(&format!(
            "{API}/Accounts/{}/Messages/{sid}.json",
            self.config.account_sid
        ))
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ProviderError> {
        self.call_as(request, false).await
    }

    /// A request; with `creates`, a failure that does not prove the text was refused is
    /// [`ProviderError::Ambiguous`].
    async fn call_as<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
        creates: bool,
    ) -> Result<T, ProviderError> {
        let unsent = |err: ProviderError, connect_failed: bool| {
            if creates {
                unless_proved_unsent(err, connect_failed)
            } else {
                err
            }
        };
        let response = request
            .basic_auth(self.config.username(), Some(self.config.secret.expose()))
            .send()
            .await
            .map_err(|err| unsent(network(&err), err.is_connect()))?;
        let status = response.status();
        let retry = retry_after(response.headers());
        let text = response
            .text()
            .await
            .map_err(|err| unsent(network(&err), false))?;
        if !status.is_success() {
            let err = classify(status.as_u16(), &text, retry);
            // Twilio's own "too many requests" and "unavailable" are answers: the text was not
            // taken. Any other server error may come after it was.
            return Err(if status.is_server_error() && status.as_u16() != 503 {
                unsent(err, false)
            } else {
                err
            });
        }
        serde_json::from_str(&text).map_err(|_| {
            unsent(
                ProviderError::Transient {
                    reason: "Twilio's answer was cut short or could not be read".into(),
                    retry_after: None,
                },
                false,
            )
        })
    }

    /// The form a new message is created with.
    pub fn create_form(&self, text: &OutboundText) -> Vec<(&'static str, String)> {
        let mut form = vec![("To", text.to.clone()), ("Body", text.body.clone())];
        match &self.config.sender {
            Sender::Number(from) => form.push(("From", from.clone())),
            Sender::MessagingService(sid) => form.push(("MessagingServiceSid", sid.clone())),
        }
        if let Some(at) = text.send_at {
            form.push(("ScheduleType", "fixed".into()));
            form.push(("SendAt", at.to_rfc3339_opts(SecondsFormat::Secs, true)));
        }
        form
    }

    /// Creates a message (now, or scheduled when `send_at` is set).
    pub async fn create(&self, text: &OutboundText) -> Result<TwilioMessage, ProviderError> {
        if text.send_at.is_some() && !matches!(self.config.sender, Sender::MessagingService(_)) {
            return Err(ProviderError::Permanent {
                code: "no_messaging_service".into(),
                message: "Twilio schedules texts only through a Messaging Service".into(),
            });
        }
        self.call_as(
            self.http
                .post(self.messages_url())
                .form(&self.create_form(text)),
            true,
        )
        .await
    }

    pub async fn fetch(&self, sid: &str) -> Result<TwilioMessage, ProviderError> {
        self.call(self.http.get(self.message_url(sid))).await
    }

    /// Cancels a scheduled message.
    pub async fn cancel(&self, sid: &str) -> Result<TwilioMessage, ProviderError> {
        self.call(
            self.http
                .post(self.message_url(sid))
                .form(&[("Status", "canceled")]),
        )
        .await
    }

    /// The first page of a message listing with these filters.
    pub async fn list_first(
        &self,
        filters: &[(&str, String)],
        page_size: u32,
    ) -> Result<TwilioPage, ProviderError> {
        let mut query: Vec<(&str, String)> = filters.to_vec();
        query.push(("PageSize", page_size.to_string()));
        self.call(self.http.get(self.messages_url()).query(&query))
            .await
    }

    /// A later page, by the `next_page_uri` Twilio gave (a path on the same host).
    pub async fn list_next(&self, next_page_uri: &str) -> Result<TwilioPage, ProviderError> {
        if !next_page_uri.starts_with('/') {
            return Err(ProviderError::Permanent {
                code: "bad_page_uri".into(),
                message: "Twilio gave a next page that is not on its own host".into(),
            });
        }
        self.call(self.http.get(self.url(next_page_uri))).await
    }

    /// Every message matching the filters, walking all pages, newest first (Twilio's order).
    /// `stop` ends the walk early once a page reaches messages that are too old.
    pub async fn list_all(
        &self,
        filters: &[(&str, String)],
        stop: impl Fn(&TwilioMessage) -> bool,
    ) -> Result<Vec<TwilioMessage>, ProviderError> {
        let mut page = self.list_first(filters, PAGE_SIZE).await?;
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let done = page.messages.iter().any(&stop);
            all.extend(page.messages);
            match page.next_page_uri {
                Some(next) if !done && !next.is_empty() => page = self.list_next(&next).await?,
                _ => return Ok(all),
            }
        }
        // Never hand back part of a listing as if it were all of it.
        Err(ProviderError::Transient {
            reason: format!("Twilio's list ran past {MAX_PAGES} pages"),
            retry_after: None,
        })
    }

    /// An authenticated read of the account: proves the credentials without sending anything.
    pub async fn check(&self) -> Result<TwilioAccount, ProviderError> {
        self.call(
            self.http
                .get(self.url(&format!("{API}/Accounts/{}.json", self.config.account_sid))),
        )
        .await
    }

    fn own_number(&self) -> Option<&str> {
        match &self.config.sender {
            Sender::Number(n) => Some(n),
            Sender::MessagingService(_) => None,
        }
    }
}

fn receipt_of(m: &TwilioMessage) -> Result<SendReceipt, ProviderError> {
    let provider_id = m.sid.clone().ok_or_else(|| {
        ProviderError::Ambiguous("Twilio accepted the text but gave no message id".into())
    })?;
    Ok(SendReceipt {
        provider_id,
        status: parse_status(m.status.as_deref().unwrap_or("queued")),
    })
}

fn report_of(m: &TwilioMessage) -> StatusReport {
    StatusReport {
        status: parse_status(m.status.as_deref().unwrap_or("queued")),
        error_code: m.error_code.map(|c| c.to_string()),
        error_message: m.error_message.clone(),
    }
}

fn created(m: &TwilioMessage) -> Option<DateTime<Utc>> {
    m.date_created.as_deref().and_then(parse_twilio_time)
}

#[async_trait]
impl Provider for TwilioProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Twilio
    }

    async fn send(&self, text: &OutboundText) -> Result<SendReceipt, ProviderError> {
        receipt_of(&self.create(text).await?)
    }

    /// Twilio's message list can take a few seconds to show a text it has just accepted.
    fn records_lag(&self) -> Duration {
        RECORDS_LAG
    }

    async fn cancel_scheduled(&self, provider_id: &str) -> Result<(), ProviderError> {
        let m = self.cancel(provider_id).await?;
        match parse_status(m.status.as_deref().unwrap_or("canceled")) {
            ProviderStatus::Canceled => Ok(()),
            other => Err(ProviderError::Permanent {
                code: "not_canceled".into(),
                message: format!("Twilio kept the text ({other:?})"),
            }),
        }
    }

    async fn fetch_status(&self, provider_id: &str) -> Result<StatusReport, ProviderError> {
        Ok(report_of(&self.fetch(provider_id).await?))
    }

    /// Cursor: the newest `date_sent` seen (RFC 3339). Each poll asks from a day before it, so
    /// a text Twilio files late is still found; the engine drops ids it already has.
    async fn list_inbound(&self, cursor: Option<&str>) -> Result<InboundPage, ProviderError> {
        let since = cursor
            .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
            .map(|t| t.with_timezone(&Utc) - chrono::Duration::days(1));
        let mut filters = Vec::new();
        if let Some(own) = self.own_number() {
            filters.push(("To", own.to_owned()));
        }
        if let Some(since) = since {
            filters.push((
                "DateSent>",
                since.to_rfc3339_opts(SecondsFormat::Secs, true),
            ));
        }
        let messages = self.list_all(&filters, |_| false).await?;
        let mut texts: Vec<InboundText> = messages
            .iter()
            .filter(|m| m.direction.as_deref() == Some("inbound"))
            .filter_map(|m| {
                Some(InboundText {
                    provider_id: m.sid.clone()?,
                    from: m.from.clone().unwrap_or_default(),
                    to: m.to.clone().unwrap_or_default(),
                    body: m.body.clone().unwrap_or_default(),
                    received_at: m
                        .date_sent
                        .as_deref()
                        .and_then(parse_twilio_time)
                        .or_else(|| created(m))?,
                })
            })
            .collect();
        texts.sort_by_key(|t| t.received_at);
        let next_cursor = texts
            .last()
            .map(|t| t.received_at.to_rfc3339_opts(SecondsFormat::Secs, true))
            .or_else(|| cursor.map(str::to_owned));
        Ok(InboundPage { texts, next_cursor })
    }

    async fn messages_to(
        &self,
        to: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProviderRecord>, ProviderError> {
        let filters = [("To", to.to_owned())];
        let messages = self
            .list_all(&filters, |m| created(m).is_some_and(|t| t < since))
            .await?;
        Ok(messages
            .iter()
            .filter(|m| m.direction.as_deref() != Some("inbound"))
            .filter_map(|m| {
                let at = created(m)?;
                (at >= since).then(|| ProviderRecord {
                    provider_id: m.sid.clone().unwrap_or_default(),
                    to: m.to.clone().unwrap_or_default(),
                    body: m.body.clone().unwrap_or_default(),
                    status: parse_status(m.status.as_deref().unwrap_or("queued")),
                    created_at: at,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_by_what_to_do_next() {
        let body = |code: i64| format!(r#"{{"code":{code},"message":"m","status":400}}"#);
        assert_eq!(
            classify(400, &body(21610), None),
            ProviderError::RecipientOptedOut
        );
        for code in [21211, 21614, 21408] {
            assert!(matches!(
                classify(400, &body(code), None),
                ProviderError::InvalidNumber(_)
            ));
        }
        assert_eq!(
            classify(401, &body(20003), None),
            ProviderError::CredentialsRejected
        );
        assert_eq!(
            classify(429, &body(20429), Some(Duration::from_secs(7))),
            ProviderError::Transient {
                reason: "Twilio is limiting the rate of requests (m)".into(),
                retry_after: Some(Duration::from_secs(7)),
            }
        );
        assert!(matches!(
            classify(503, "<html>down</html>", None),
            ProviderError::Transient { .. }
        ));
        assert!(matches!(
            classify(400, &body(21602), None),
            ProviderError::Permanent { code, .. } if code == "21602"
        ));
    }

    #[test]
    fn twilio_dates_and_statuses_are_read() {
        let t = parse_twilio_time("Thu, 24 Aug 2023 05:01:45 +0000").unwrap();
        assert_eq!(t.to_rfc3339(), "2023-08-24T05:01:45+00:00");
        assert_eq!(parse_status("undelivered"), ProviderStatus::Undelivered);
        assert_eq!(parse_status("accepted"), ProviderStatus::Queued);
    }
}
