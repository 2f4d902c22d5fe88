//! A local stand-in for the desk's Android phone running the SMSGate app's local server,
//! speaking its wire format (`tests/contracts/smsgate_local_api.json`) and keeping its state:
//! texts it took by our id (a second with the same id is refused with 409), each reported
//! delivered when asked, and an inbox of customers' texts the test adds.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use wiremock::matchers::{any, header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const USERNAME: &str = "sms";
pub const PASSWORD: &str = "gateway-pass";

/// A text the phone took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub id: String,
    pub to: String,
    pub text: String,
}

#[derive(Default)]
struct Phone {
    taken: Vec<Taken>,
    inbox: Vec<Value>,
}

type Shared = Arc<Mutex<Phone>>;

struct Take(Shared);
impl Respond for Take {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return ResponseTemplate::new(400).set_body_json(json!({"message": "invalid JSON"}));
        };
        let mut phone = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let id = body["id"].as_str().unwrap_or_default().to_owned();
        if phone.taken.iter().any(|m| m.id == id) {
            return ResponseTemplate::new(409)
                .set_body_json(json!({"message": "Message with such ID already exists"}));
        }
        let to = body["phoneNumbers"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        phone.taken.push(Taken {
            id: id.clone(),
            to: to.clone(),
            text: body["textMessage"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        });
        ResponseTemplate::new(202).set_body_json(json!({
            "id": id, "deviceId": "fake-phone", "state": "Pending",
            "recipients": [{"phoneNumber": to, "state": "Pending"}]
        }))
    }
}

struct Lookup(Shared);
impl Respond for Lookup {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().trim_start_matches("/messages/");
        let phone = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match phone.taken.iter().find(|m| m.id == id) {
            Some(m) => ResponseTemplate::new(200).set_body_json(json!({
                "id": m.id, "deviceId": "fake-phone", "state": "Delivered",
                "recipients": [{"phoneNumber": m.to, "state": "Delivered"}]
            })),
            None => ResponseTemplate::new(404),
        }
    }
}

struct Inbox(Shared);
impl Respond for Inbox {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let phone = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut newest_first = phone.inbox.clone();
        newest_first.reverse();
        ResponseTemplate::new(200)
            .insert_header("X-Total-Count", newest_first.len().to_string())
            .set_body_json(newest_first)
    }
}

pub struct FakeSmsGate {
    server: MockServer,
    phone: Shared,
}

impl FakeSmsGate {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let phone: Shared = Arc::default();
        // "sms:gateway-pass"
        let auth = || header("authorization", "Basic c21zOmdhdGV3YXktcGFzcw==");
        Mock::given(method("GET"))
            .and(path("/health"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"status": "pass", "version": "1.40.0", "releaseId": 1, "checks": {}}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/messages"))
            .and(auth())
            .respond_with(Take(phone.clone()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex("^/messages/[^/]+$"))
            .and(auth())
            .respond_with(Lookup(phone.clone()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/inbox"))
            .and(auth())
            .respond_with(Inbox(phone.clone()))
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthorized"})),
            )
            .mount(&server)
            .await;
        Self { server, phone }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Every text the phone took, in order.
    pub fn taken(&self) -> Vec<Taken> {
        self.phone
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .taken
            .clone()
    }

    /// A customer's text arriving on the phone.
    pub fn receive(&self, id: &str, from: &str, text: &str, at: DateTime<Utc>) {
        self.phone
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .inbox
            .push(json!({
                "id": id, "type": "SMS", "sender": from, "recipient": "+447400100100",
                "contentPreview": text,
                "createdAt": at.to_rfc3339_opts(SecondsFormat::Millis, true), "simNumber": 1
            }));
    }
}
