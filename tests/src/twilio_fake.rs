//! A local stand-in for Twilio's servers, for what cannot reach the real ones: it speaks
//! Twilio's wire format (paths, form bodies, Basic auth, JSON shapes, newest-first lists) and
//! records every message it accepts, so tests can count exactly what was sent.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const API_KEY_SID: &str = "SK0123456789abcdef0123456789abcdef";

/// One message the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub sid: String,
    pub to: String,
    pub body: String,
    pub created: chrono::DateTime<chrono::Utc>,
}

pub struct FakeTwilio {
    pub server: MockServer,
    accepted: Arc<Mutex<Vec<Accepted>>>,
}

fn form(request: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect()
}

fn url_pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn message_json(m: &Accepted, status: &str) -> serde_json::Value {
    serde_json::json!({
        "sid": m.sid, "account_sid": ACCOUNT_SID, "to": m.to, "from": "+14155550100",
        "body": m.body, "status": status, "direction": "outbound-api", "num_segments": "1",
        "date_created": m.created.to_rfc2822(), "date_sent": m.created.to_rfc2822(),
        "date_updated": m.created.to_rfc2822(), "error_code": null, "error_message": null,
        "api_version": "2010-04-01",
        "uri": format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{}.json", m.sid),
    })
}

/// The fake's clock: Twilio's own time, which tests may set to agree with the app's `--now`.
pub type TwilioClock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

impl FakeTwilio {
    /// A fake whose clock is the real one.
    pub async fn start() -> Self {
        Self::start_with_clock(Arc::new(chrono::Utc::now)).await
    }

    pub async fn start_with_clock(clock: TwilioClock) -> Self {
        let server = MockServer::start().await;
        let accepted: Arc<Mutex<Vec<Accepted>>> = Arc::default();
        let messages = format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json");

        Mock::given(method("GET"))
            .and(path(format!("/2010-04-01/Accounts/{ACCOUNT_SID}.json")))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "sid": ACCOUNT_SID, "friendly_name": "Test account", "status": "active",
            })))
            .mount(&server)
            .await;

        let counter = Arc::new(AtomicU64::new(1));
        let store = accepted.clone();
        Mock::given(method("POST"))
            .and(path(messages.clone()))
            .respond_with(move |request: &Request| {
                let fields = form(request);
                let get = |k: &str| {
                    fields
                        .iter()
                        .find(|(key, _)| key == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                let to = get("To");
                if to.is_empty() {
                    return ResponseTemplate::new(400).set_body_json(serde_json::json!({
                        "code": 21604, "message": "A 'To' phone number is required.", "status": 400,
                    }));
                }
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let m = Accepted {
                    sid: format!("SM{n:032x}"),
                    to,
                    body: get("Body"),
                    created: clock(),
                };
                let json = message_json(&m, "queued");
                if let Ok(mut all) = store.lock() {
                    all.push(m);
                }
                ResponseTemplate::new(201).set_body_json(json)
            })
            .mount(&server)
            .await;

        let store = accepted.clone();
        Mock::given(method("GET"))
            .and(path(messages))
            .respond_with(move |request: &Request| {
                let query = url_pairs(request.url.query().unwrap_or(""));
                let to = query
                    .iter()
                    .find(|(k, _)| k == "To")
                    .map(|(_, v)| v.clone());
                let all = store.lock().map(|a| a.clone()).unwrap_or_default();
                let page: Vec<serde_json::Value> = all
                    .iter()
                    .rev()
                    .filter(|m| to.as_ref().is_none_or(|t| &m.to == t))
                    .map(|m| message_json(m, "delivered"))
                    .collect();
                ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "messages": page, "next_page_uri": null, "page": 0, "page_size": 1000,
                }))
            })
            .mount(&server)
            .await;

        let store = accepted.clone();
        Mock::given(method("GET"))
            .and(path_regex(r"/Messages/SM[0-9a-f]{32}\.json$"))
            .respond_with(move |request: &Request| {
                let sid = request
                    .url
                    .path()
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .trim_end_matches(".json")
                    .to_owned();
                let all = store.lock().map(|a| a.clone()).unwrap_or_default();
                match all.iter().find(|m| m.sid == sid) {
                    Some(m) => ResponseTemplate::new(200).set_body_json(message_json(m, "delivered")),
                    None => ResponseTemplate::new(404).set_body_json(serde_json::json!({
                        "code": 20404, "message": "The requested resource was not found", "status": 404,
                    })),
                }
            })
            .mount(&server)
            .await;

        Self { server, accepted }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Every message accepted so far, in order.
    pub fn accepted(&self) -> Vec<Accepted> {
        self.accepted.lock().map(|a| a.clone()).unwrap_or_default()
    }
}
