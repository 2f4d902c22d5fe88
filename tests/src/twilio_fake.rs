//! A local stand-in for Twilio's servers, for what cannot reach the real ones: it speaks
//! Twilio's wire format (paths, form bodies, Basic auth, JSON shapes, newest-first lists) and
//! records every message it accepts, so tests can count exactly what was sent.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

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
    accepted: Arc<Mutex<Vec<(Accepted, Instant)>>>,
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
        Self::start_with(clock, Duration::ZERO).await
    }

    /// A fake whose message list shows an accepted text only `list_lag` after accepting it,
    /// as Twilio's own list can lag by seconds.
    pub async fn start_with(clock: TwilioClock, list_lag: Duration) -> Self {
        let server = MockServer::start().await;
        let accepted: Arc<Mutex<Vec<(Accepted, Instant)>>> = Arc::default();
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
                    all.push((m, Instant::now()));
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
                    .filter(|(_, at)| at.elapsed() >= list_lag)
                    .map(|(m, _)| m)
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
                match all.iter().map(|(m, _)| m).find(|m| m.sid == sid) {
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
        self.accepted
            .lock()
            .map(|a| a.iter().map(|(m, _)| m.clone()).collect())
            .unwrap_or_default()
    }
}

/// Flaky desk Wi-Fi in front of the fake. Of the requests that create a text, a share is cut
/// after Twilio took the text and before its answer gets back (a dropped link, a timeout
/// after Twilio accepted), and another share is cut after the request was written but before
/// it reached Twilio. To the app both look the same. Each request gets its own connection
/// (`Connection: close`), so a cut falls on exactly one request.
pub struct CuttingProxy {
    address: std::net::SocketAddr,
    cut: Arc<Cuts>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Cuts {
    after: AtomicU64,
    before: AtomicU64,
}

impl CuttingProxy {
    /// Proxies to `upstream` (`http://127.0.0.1:PORT`), cutting the answer to `after` (0.0–1.0)
    /// of creates and the request of `before` of them; `seed` makes the choice repeatable.
    pub async fn start(upstream: &str, after: f64, before: f64, seed: u64) -> Self {
        let upstream: std::net::SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("the fake listens on 127.0.0.1:PORT");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let cut = Arc::new(Cuts::default());
        let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(seed)));
        let counted = cut.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let rng = rng.clone();
                let counted = counted.clone();
                tokio::spawn(async move {
                    let _ = relay(client, upstream, (after, before), &rng, &counted).await;
                });
            }
        });
        Self { address, cut, task }
    }

    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// How many creates were cut so far: (after Twilio took them, before they got there).
    pub fn cut(&self) -> (u64, u64) {
        (
            self.cut.after.load(Ordering::SeqCst),
            self.cut.before.load(Ordering::SeqCst),
        )
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One request: read it whole, pass it on, and pass the answer back, unless this is a create
/// chosen to be cut.
async fn relay(
    client: TcpStream,
    upstream: std::net::SocketAddr,
    (after, before): (f64, f64),
    rng: &Mutex<fastrand::Rng>,
    cut: &Cuts,
) -> std::io::Result<()> {
    let mut client = BufReader::new(client);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if client.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") {
            head.push(line);
        }
    }
    let mut body = vec![0; length];
    client.read_exact(&mut body).await?;
    let creates = head
        .first()
        .is_some_and(|l| l.starts_with("POST ") && l.contains("/Messages.json"));
    let draw = if creates {
        rng.lock().map(|mut r| r.f64()).unwrap_or(1.0)
    } else {
        1.0
    };
    if draw < before {
        cut.before.fetch_add(1, Ordering::SeqCst);
        // Hung up before passing the request on.
        return Ok(());
    }
    let mut request = head.concat().into_bytes();
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request.extend_from_slice(&body);
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&request).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    if draw < before + after {
        cut.after.fetch_add(1, Ordering::SeqCst);
        // Hung up with the answer unsent.
        return Ok(());
    }
    client.get_mut().write_all(&answer).await?;
    client.get_mut().shutdown().await
}
