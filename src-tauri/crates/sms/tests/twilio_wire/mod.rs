//! Twilio's wire format for the tests: paths, Message resources, pages, errors, request readers.

// Each test file uses its own share of these.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use tidings_sms::{
    OutboundText, Provider, ProviderError, Sender, Sensitive, TwilioConfig, TwilioProvider,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
pub const API_KEY: &str = "SKfedcba9876543210fedcba9876543210";
pub const SECRET: &str = "not-a-real-secret";
pub const SERVICE: &str = "MG00112233445566778899aabbccddeeff";
pub const OWN_NUMBER: &str = "+15005550006";
pub const CUSTOMER: &str = "+15558675310";

/// The moment these tests happen at: none reads the computer's clock.
pub fn pinned_now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
}

pub fn messages_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
}

pub fn message_path(sid: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}.json")
}

pub fn config(base_url: &str, sender: Sender) -> TwilioConfig {
    let mut config = TwilioConfig::new(ACCOUNT, Sensitive::new(SECRET.to_owned()), sender);
    config.base_url = base_url.to_owned();
    config.timeout = Duration::from_secs(5);
    config
}

pub fn provider(base_url: &str) -> TwilioProvider {
    TwilioProvider::new(config(base_url, Sender::Number(OWN_NUMBER.into()))).unwrap()
}

pub fn text(body: &str) -> OutboundText {
    OutboundText {
        to: CUSTOMER.into(),
        body: body.into(),
        send_at: None,
        key: None,
    }
}

/// A 34-character message SID ending in `n`.
pub fn sid(n: u32) -> String {
    format!("SM{n:032x}")
}

/// Twilio's RFC 2822 form.
pub fn rfc2822(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A Message resource shaped like Twilio's.
pub fn message(sid: &str, status: &str, direction: &str, created: DateTime<Utc>) -> Value {
    let (from, to) = if direction == "inbound" {
        (CUSTOMER, OWN_NUMBER)
    } else {
        (OWN_NUMBER, CUSTOMER)
    };
    json!({
        "account_sid": ACCOUNT,
        "api_version": "2010-04-01",
        "body": format!("body of {sid}"),
        "date_created": rfc2822(created),
        "date_sent": rfc2822(created),
        "date_updated": rfc2822(created),
        "direction": direction,
        "error_code": null,
        "error_message": null,
        "from": from,
        "messaging_service_sid": null,
        "num_media": "0",
        "num_segments": "1",
        "price": null,
        "price_unit": "USD",
        "sid": sid,
        "status": status,
        "subresource_uris": {
            "media": format!("/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}/Media.json")
        },
        "to": to,
        "uri": format!("/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}.json"),
    })
}

/// A page of a Message list, shaped like Twilio's.
pub fn page(messages: Vec<Value>, page: u32, next_page_uri: Option<&str>) -> Value {
    json!({
        "end": 0,
        "first_page_uri": format!("{}?PageSize=1000&Page=0", messages_path()),
        "next_page_uri": next_page_uri,
        "page": page,
        "page_size": 1000,
        "previous_page_uri": null,
        "messages": messages,
        "start": 0,
        "uri": format!("{}?PageSize=1000&Page={page}", messages_path()),
    })
}

/// Twilio's error body.
pub fn twilio_error(code: i64, status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    }))
}

/// Decodes an `application/x-www-form-urlencoded` body (keys are unique in Twilio's forms).
pub fn form(body: &[u8]) -> BTreeMap<String, String> {
    fn decode(part: &str) -> String {
        let bytes = part.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    std::str::from_utf8(body)
        .unwrap()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

pub fn expected_form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `Basic base64(user:password)`, computed here so the header is checked byte for byte.
pub fn basic(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

pub async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

pub fn header<'a>(request: &'a wiremock::Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The reason of an error that leaves "was the text taken?" open.
pub fn ambiguous(err: ProviderError) -> String {
    match err {
        ProviderError::Ambiguous(reason) => reason,
        other => panic!("expected an ambiguous outcome, got {other:?}"),
    }
}

pub fn transient(err: ProviderError) -> (String, Option<Duration>) {
    match err {
        ProviderError::Transient {
            reason,
            retry_after,
        } => (reason, retry_after),
        other => panic!("expected a transient error, got {other:?}"),
    }
}

/// Sends `text("hi")` to a server that answers the create request with `response`, checks the
/// server was asked exactly once, and returns the error.
pub async fn send_answered_with(response: ResponseTemplate) -> ProviderError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let err = provider(&server.uri()).send(&text("hi")).await.unwrap_err();
    server.verify().await;
    err
}
