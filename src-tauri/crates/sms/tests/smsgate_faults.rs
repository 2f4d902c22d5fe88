//! The SMSGate provider against a local stand-in for the gateway phone that speaks its wire
//! format and keeps its state like the app does: ids it already has are refused with 409,
//! messages are looked up by id, the inbox pages by limit and offset. Faults: refused
//! credentials, lost answers (the phone took the text, the answer never came), a cut
//! connection, server errors, a phone that is off, a text that ends Failed, and replies paged
//! across polls with none read twice after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use tidings_sms::smsgate::{SmsGateConfig, SmsGateProvider, INBOX_PAGE};
use tidings_sms::{OutboundText, Provider, ProviderError, ProviderStatus, Sensitive};
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const USER: &str = "sms";
const PASSWORD: &str = "gateway-pass";
const CUSTOMER: &str = "+14155552671";

#[derive(Debug, Clone)]
struct Stored {
    id: String,
    to: String,
    text: String,
    state: String,
    error: Option<String>,
}

/// The phone's state, shared by the stand-in's routes.
#[derive(Debug, Default)]
struct Phone {
    messages: Vec<Stored>,
    posts: usize,
    inbox: Vec<Value>,
    /// The next sends' answers are held this long (the text is taken first).
    answer_delay: Option<Duration>,
}

type Shared = Arc<Mutex<Phone>>;

struct Send(Shared);
impl Respond for Send {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let mut phone = self.0.lock().unwrap();
        phone.posts += 1;
        let id = body["id"].as_str().unwrap().to_owned();
        if phone.messages.iter().any(|m| m.id == id) {
            return ResponseTemplate::new(409)
                .set_body_json(json!({"message": "Message with such ID already exists"}));
        }
        let stored = Stored {
            id: id.clone(),
            to: body["phoneNumbers"][0].as_str().unwrap().to_owned(),
            text: body["textMessage"]["text"].as_str().unwrap().to_owned(),
            state: "Pending".into(),
            error: None,
        };
        phone.messages.push(stored.clone());
        let answer = ResponseTemplate::new(202)
            .insert_header("Location", format!("/messages/{id}"))
            .set_body_json(state_json(&stored));
        match phone.answer_delay {
            Some(delay) => answer.set_delay(delay),
            None => answer,
        }
    }
}

fn state_json(m: &Stored) -> Value {
    let mut recipient = json!({"phoneNumber": m.to, "state": m.state});
    if let Some(error) = &m.error {
        recipient["error"] = json!(error);
    }
    json!({
        "id": m.id,
        "deviceId": "dev123",
        "state": m.state,
        "recipients": [recipient],
        "states": {"Pending": "2027-03-01T12:00:00.000Z"},
        "textMessage": {"text": m.text},
    })
}

struct Lookup(Shared);
impl Respond for Lookup {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().trim_start_matches("/messages/");
        let phone = self.0.lock().unwrap();
        match phone.messages.iter().find(|m| m.id == id) {
            Some(m) => ResponseTemplate::new(200).set_body_json(state_json(m)),
            None => ResponseTemplate::new(404),
        }
    }
}

struct List(Shared);
impl Respond for List {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let phone = self.0.lock().unwrap();
        let all: Vec<Value> = phone.messages.iter().map(state_json).collect();
        ResponseTemplate::new(200)
            .insert_header("X-Total-Count", all.len().to_string())
            .set_body_json(all)
    }
}

struct Inbox(Shared);
impl Respond for Inbox {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query: std::collections::HashMap<String, String> =
            request.url.query_pairs().into_owned().collect();
        let limit: usize = query["limit"].parse().unwrap();
        let offset: usize = query.get("offset").map_or(0, |o| o.parse().unwrap());
        let from = query
            .get("from")
            .map(|f| DateTime::parse_from_rfc3339(f).unwrap().with_timezone(&Utc));
        let phone = self.0.lock().unwrap();
        // Newest first, as the app lists it.
        let mut items: Vec<&Value> = phone
            .inbox
            .iter()
            .filter(|m| {
                let at = DateTime::parse_from_rfc3339(m["createdAt"].as_str().unwrap()).unwrap();
                from.is_none_or(|f| at >= f)
            })
            .collect();
        items.reverse();
        let total = items.len();
        let page: Vec<&Value> = items.into_iter().skip(offset).take(limit).collect();
        ResponseTemplate::new(200)
            .insert_header("X-Total-Count", total.to_string())
            .set_body_json(page)
    }
}

async fn gateway() -> (MockServer, Shared) {
    let server = MockServer::start().await;
    let phone: Shared = Arc::default();
    let auth = || header("authorization", "Basic c21zOmdhdGV3YXktcGFzcw==");
    Mock::given(method("POST"))
        .and(path("/messages"))
        .and(auth())
        .respond_with(Send(phone.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/messages/[^/]+$"))
        .and(auth())
        .respond_with(Lookup(phone.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/messages"))
        .and(auth())
        .respond_with(List(phone.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/inbox"))
        .and(auth())
        .respond_with(Inbox(phone.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "warn", "version": "1.40.0", "releaseId": 1,
            "checks": {"battery:level": {"description": "Battery level in percent",
                "observedUnit": "percent", "observedValue": 12, "status": "warn"},
                "connection:status": {"description": "Internet connection status",
                "observedUnit": "boolean", "observedValue": 1, "status": "pass"}}
        })))
        .mount(&server)
        .await;
    // Anything else, or a wrong password: 401 as the app answers.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthorized"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthorized"})))
        .mount(&server)
        .await;
    (server, phone)
}

fn provider(base_url: &str, password: &str, timeout: Duration) -> SmsGateProvider {
    SmsGateProvider::new(SmsGateConfig {
        base_url: base_url.into(),
        username: USER.into(),
        password: Sensitive::new(password.into()),
        timeout,
    })
    .unwrap()
}

fn text(body: &str, key: &str) -> OutboundText {
    OutboundText {
        to: CUSTOMER.into(),
        body: body.into(),
        send_at: None,
        key: Some(key.into()),
    }
}

#[tokio::test]
async fn a_text_goes_with_our_id_and_a_resend_after_a_lost_answer_never_goes_twice() {
    let (server, phone) = gateway().await;
    let gate = provider(&server.uri(), PASSWORD, Duration::from_millis(500));

    let receipt = gate
        .send(&text("See you at 3pm", "td0001-1"))
        .await
        .unwrap();
    assert_eq!(receipt.provider_id, "td0001-1");
    assert_eq!(receipt.status, ProviderStatus::Queued);

    // The phone takes the next text but its answer is lost: unclear, never "not sent".
    phone.lock().unwrap().answer_delay = Some(Duration::from_secs(2));
    let lost = gate
        .send(&text("Running late", "td0001-2"))
        .await
        .unwrap_err();
    assert!(matches!(lost, ProviderError::Ambiguous(_)), "{lost:?}");
    phone.lock().unwrap().answer_delay = None;
    // The resend with the same id is refused there (409), and read as the text it already has.
    phone.lock().unwrap().messages[1].state = "Sent".into();
    let again = gate.send(&text("Running late", "td0001-2")).await.unwrap();
    assert_eq!(again.provider_id, "td0001-2");
    assert_eq!(again.status, ProviderStatus::Sent);
    let phone = phone.lock().unwrap();
    assert_eq!(phone.posts, 3);
    assert_eq!(phone.messages.len(), 2, "two texts, each once");
    assert_eq!(phone.messages[1].text, "Running late");
}

#[tokio::test]
async fn refused_credentials_server_errors_a_cut_connection_and_a_phone_that_is_off() {
    let (server, _) = gateway().await;
    let wrong = provider(&server.uri(), "not-it", Duration::from_secs(2));
    assert_eq!(
        wrong.send(&text("x", "k1")).await.unwrap_err(),
        ProviderError::CredentialsRejected
    );
    assert_eq!(
        wrong.list_inbound(None).await.unwrap_err(),
        ProviderError::CredentialsRejected
    );

    // 503 "queue limits exceeded": not taken, try later. 500: may have been taken.
    let busy = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(
                json!({"message": "Queue limits exceeded; ensure device is online"}),
            ),
        )
        .mount(&busy)
        .await;
    let err = provider(&busy.uri(), PASSWORD, Duration::from_secs(2))
        .send(&text("x", "k2"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Transient { reason, .. } if reason.contains("Queue limits exceeded")),
        "{err:?}"
    );
    let broken = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&broken)
        .await;
    assert!(matches!(
        provider(&broken.uri(), PASSWORD, Duration::from_secs(2))
            .send(&text("x", "k3"))
            .await
            .unwrap_err(),
        ProviderError::Ambiguous(_)
    ));
    // 400: the phone refused the text itself (an invalid number), with its words.
    let refuses = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"message": "invalid phone number"})),
        )
        .mount(&refuses)
        .await;
    assert_eq!(
        provider(&refuses.uri(), PASSWORD, Duration::from_secs(2))
            .send(&text("x", "k4"))
            .await
            .unwrap_err(),
        ProviderError::Permanent {
            code: "400".into(),
            message: "invalid phone number".into()
        }
    );

    // A connection cut after the request went: unclear.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let cut_at = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(1) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            drop(stream);
        }
    });
    let cut = provider(
        &format!("http://{cut_at}"),
        PASSWORD,
        Duration::from_secs(2),
    )
    .send(&text("x", "k5"))
    .await
    .unwrap_err();
    assert!(matches!(cut, ProviderError::Ambiguous(_)), "{cut:?}");

    // The phone is off (nothing listens): not taken, and the desk is told what to check.
    let off = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let off_at = off.local_addr().unwrap();
    drop(off);
    let gate = provider(
        &format!("http://{off_at}"),
        PASSWORD,
        Duration::from_secs(2),
    );
    let err = gate.send(&text("x", "k6")).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Transient { reason, .. } if reason.contains("on the same Wi-Fi")),
        "{err:?}"
    );
    assert!(matches!(
        gate.check().await.unwrap_err(),
        ProviderError::Transient { .. }
    ));
}

#[tokio::test]
async fn a_text_that_ends_failed_says_why_in_words_and_delivery_is_followed() {
    let (server, phone) = gateway().await;
    let gate = provider(&server.uri(), PASSWORD, Duration::from_secs(2));
    gate.send(&text("Hello", "td0001-7")).await.unwrap();
    assert_eq!(
        gate.fetch_status("td0001-7").await.unwrap().status,
        ProviderStatus::Queued
    );
    phone.lock().unwrap().messages[0].state = "Delivered".into();
    assert_eq!(
        gate.fetch_status("td0001-7").await.unwrap().status,
        ProviderStatus::Delivered
    );
    {
        let mut phone = phone.lock().unwrap();
        phone.messages[0].state = "Failed".into();
        phone.messages[0].error = Some("RESULT_ERROR_GENERIC_FAILURE".into());
    }
    let report = gate.fetch_status("td0001-7").await.unwrap();
    assert_eq!(report.status, ProviderStatus::Failed);
    assert_eq!(
        report.error_message.as_deref(),
        Some("the phone's carrier refused the text (check the SIM has credit and signal)")
    );
    assert!(matches!(
        gate.fetch_status("no-such-id").await.unwrap_err(),
        ProviderError::NotFound(_)
    ));
    // Reconciling a claimed send: the phone's own record of it, with its text.
    let records = gate
        .messages_to(CUSTOMER, Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap())
        .await;
    let records = records.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (
            records[0].provider_id.as_str(),
            records[0].body.as_str(),
            records[0].status
        ),
        ("td0001-7", "Hello", ProviderStatus::Failed)
    );
    assert_eq!(
        records[0].created_at,
        Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
    );
    assert!(gate
        .messages_to(
            "+14155550000",
            Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap()
        )
        .await
        .unwrap()
        .is_empty());
    // Health: the version and what is not passing, in words.
    let check = gate.check().await.unwrap();
    assert_eq!(check.version.as_deref(), Some("1.40.0"));
    assert_eq!(check.warnings, ["Battery level in percent: 12 percent"]);
}

fn incoming(id: usize, at: DateTime<Utc>, text: &str) -> Value {
    json!({
        "id": format!("in-{id}"),
        "type": "SMS",
        "sender": "+14155550100",
        "recipient": "+14155559999",
        "contentPreview": text,
        "createdAt": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "simNumber": 1
    })
}

#[tokio::test]
async fn replies_are_paged_across_polls_and_none_is_read_twice_after_a_restart() {
    let (server, phone) = gateway().await;
    let start = Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap();
    {
        let mut phone = phone.lock().unwrap();
        for i in 0..250 {
            phone.inbox.push(incoming(
                i,
                start + chrono::Duration::seconds(i as i64 / 2),
                &format!("reply {i}"),
            ));
        }
        // An MMS is not a text reply.
        phone.inbox.push(
            json!({"id": "mms-1", "type": "MMS", "sender": "+14155550100",
            "contentPreview": "[picture]", "createdAt": "2027-03-01T09:05:00.000Z"}),
        );
    }
    let gate = provider(&server.uri(), PASSWORD, Duration::from_secs(2));
    let first = gate.list_inbound(None).await.unwrap();
    assert!(250 > INBOX_PAGE as usize, "more than one page");
    assert_eq!(first.texts.len(), 250);
    assert_eq!(first.texts[0].body, "reply 0");
    assert_eq!(first.texts[249].body, "reply 249");
    assert!(first
        .texts
        .windows(2)
        .all(|w| w[0].received_at <= w[1].received_at));
    let cursor = first.next_cursor.clone().unwrap();

    // Nothing new: nothing again, and the cursor stands.
    let again = gate.list_inbound(Some(&cursor)).await.unwrap();
    assert!(again.texts.is_empty(), "{:?}", again.texts);
    assert_eq!(again.next_cursor.as_deref(), Some(cursor.as_str()));

    // Two more arrive, one in the same millisecond as the last one read.
    let last_at = first.texts[249].received_at;
    {
        let mut phone = phone.lock().unwrap();
        phone.inbox.push(incoming(900, last_at, "same moment"));
        phone.inbox.push(incoming(
            901,
            last_at + chrono::Duration::seconds(30),
            "YES",
        ));
    }
    // After a restart: a new provider with the saved cursor.
    let restarted = provider(&server.uri(), PASSWORD, Duration::from_secs(2));
    let next = restarted.list_inbound(Some(&cursor)).await.unwrap();
    let bodies: Vec<&str> = next.texts.iter().map(|t| t.body.as_str()).collect();
    assert_eq!(bodies, ["same moment", "YES"]);
    assert_eq!(next.texts[1].from, "+14155550100");
    let after = restarted
        .list_inbound(next.next_cursor.as_deref())
        .await
        .unwrap();
    assert!(after.texts.is_empty(), "none read twice: {:?}", after.texts);
}

#[tokio::test]
async fn nothing_is_scheduled_at_the_phone() {
    let (server, phone) = gateway().await;
    let gate = provider(&server.uri(), PASSWORD, Duration::from_secs(2));
    let err = gate
        .send(&OutboundText {
            send_at: Some(Utc.with_ymd_and_hms(2027, 3, 2, 9, 0, 0).unwrap()),
            ..text("later", "k9")
        })
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Permanent { .. }), "{err:?}");
    assert_eq!(phone.lock().unwrap().posts, 0);
    assert_eq!(gate.cancel_scheduled("anything").await, Ok(()));
}

#[tokio::test]
async fn an_accepted_answer_without_an_id_is_followed_by_the_id_we_sent() {
    // The gateway's schema allows any id up to 36 characters, the empty one included.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/messages"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({
            "id": "", "state": "Pending", "recipients": [{"phoneNumber": CUSTOMER, "state": "Pending"}]
        })))
        .mount(&server)
        .await;
    let gate = provider(&server.uri(), PASSWORD, Duration::from_millis(500));
    let receipt = gate
        .send(&text("Hi", "td0123456789abcdef-7"))
        .await
        .unwrap();
    assert_eq!(receipt.provider_id, "td0123456789abcdef-7");
    assert_eq!(receipt.status, ProviderStatus::Queued);
}
