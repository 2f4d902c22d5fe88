//! The real `TwilioProvider` against a local server speaking Twilio's wire format: the paths
//! under `/2010-04-01/Accounts/AC…/`, form bodies, Basic auth and Twilio's JSON (RFC 2822
//! dates, `{"code":…,"message":…}` errors). Each fault the network or Twilio can produce must
//! come out as the `ProviderError` that tells the dispatcher what to do next.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use tidings_sms::{
    OutboundText, Provider, ProviderError, ProviderStatus, Sender, Sensitive, TwilioConfig,
    TwilioProvider,
};
use wiremock::matchers::{basic_auth, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const API_KEY: &str = "SKfedcba9876543210fedcba9876543210";
const SECRET: &str = "not-a-real-secret";
const SERVICE: &str = "MG00112233445566778899aabbccddeeff";
const OWN_NUMBER: &str = "+15005550006";
const CUSTOMER: &str = "+15558675310";

/// The moment these tests happen at: none reads the computer's clock.
fn pinned_now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
}

fn messages_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
}

fn message_path(sid: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}.json")
}

fn config(base_url: &str, sender: Sender) -> TwilioConfig {
    let mut config = TwilioConfig::new(ACCOUNT, Sensitive::new(SECRET.to_owned()), sender);
    config.base_url = base_url.to_owned();
    config.timeout = Duration::from_secs(5);
    config
}

fn provider(base_url: &str) -> TwilioProvider {
    TwilioProvider::new(config(base_url, Sender::Number(OWN_NUMBER.into()))).unwrap()
}

fn text(body: &str) -> OutboundText {
    OutboundText {
        to: CUSTOMER.into(),
        body: body.into(),
        send_at: None,
        key: None,
    }
}

/// A 34-character message SID ending in `n`.
fn sid(n: u32) -> String {
    format!("SM{n:032x}")
}

/// Twilio's RFC 2822 form.
fn rfc2822(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A Message resource shaped like Twilio's.
fn message(sid: &str, status: &str, direction: &str, created: DateTime<Utc>) -> Value {
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
fn page(messages: Vec<Value>, page: u32, next_page_uri: Option<&str>) -> Value {
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
fn twilio_error(code: i64, status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    }))
}

/// Decodes an `application/x-www-form-urlencoded` body (keys are unique in Twilio's forms).
fn form(body: &[u8]) -> BTreeMap<String, String> {
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

fn expected_form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `Basic base64(user:password)`, computed here so the header is checked byte for byte.
fn basic(user: &str, password: &str) -> String {
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

async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

fn header<'a>(request: &'a wiremock::Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The reason of an error that leaves "was the text taken?" open.
fn ambiguous(err: ProviderError) -> String {
    match err {
        ProviderError::Ambiguous(reason) => reason,
        other => panic!("expected an ambiguous outcome, got {other:?}"),
    }
}

fn transient(err: ProviderError) -> (String, Option<Duration>) {
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
async fn send_answered_with(response: ResponseTemplate) -> ProviderError {
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

// ---- Twilio's own errors ------------------------------------------------------------------

#[tokio::test]
async fn rate_limit_with_retry_after_is_transient_and_keeps_the_wait() {
    let err = send_answered_with(
        twilio_error(20429, 429, "Too Many Requests").insert_header("Retry-After", "7"),
    )
    .await;
    let (reason, retry_after) = transient(err);
    assert_eq!(retry_after, Some(Duration::from_secs(7)));
    assert!(reason.contains("limiting the rate"), "{reason}");
}

#[tokio::test]
async fn rate_limit_without_retry_after_leaves_the_wait_to_us() {
    let err = send_answered_with(twilio_error(20429, 429, "Too Many Requests")).await;
    let (_, retry_after) = transient(err);
    assert_eq!(retry_after, None);
}

#[tokio::test]
async fn server_errors_are_transient_and_leave_a_create_ambiguous() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_raw("<html>Internal Server Error</html>", "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(message_path(&sid(1))))
        .respond_with(
            twilio_error(20500, 503, "Service Unavailable").insert_header("Retry-After", "30"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let twilio = provider(&server.uri());
    // An error on Twilio's side may come after it took the text.
    let reason = ambiguous(twilio.send(&text("hi")).await.unwrap_err());
    assert!(reason.contains("HTTP 500"), "{reason}");

    let (reason, retry_after) = transient(twilio.fetch_status(&sid(1)).await.unwrap_err());
    assert!(reason.contains("HTTP 503"), "{reason}");
    assert_eq!(retry_after, Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn an_opted_out_recipient_is_reported_as_such() {
    let err = send_answered_with(twilio_error(
        21610,
        400,
        "Attempt to send to unsubscribed recipient",
    ))
    .await;
    assert_eq!(err, ProviderError::RecipientOptedOut);
}

#[tokio::test]
async fn an_invalid_number_is_reported_with_twilios_words() {
    let err = send_answered_with(twilio_error(
        21211,
        400,
        "The 'To' number +1555 is not a valid phone number.",
    ))
    .await;
    match err {
        ProviderError::InvalidNumber(message) => {
            assert!(message.contains("not a valid phone number"), "{message}");
            assert!(message.contains("21211"), "{message}");
        }
        other => panic!("expected InvalidNumber, got {other:?}"),
    }
}

#[tokio::test]
async fn rejected_credentials_pause_sending() {
    let err = send_answered_with(twilio_error(20003, 401, "Authenticate")).await;
    assert_eq!(err, ProviderError::CredentialsRejected);
}

#[tokio::test]
async fn an_unknown_message_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(message_path(&sid(9))))
        .respond_with(twilio_error(
            20404,
            404,
            "The requested resource was not found",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let err = provider(&server.uri())
        .fetch_status(&sid(9))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::NotFound(_)), "{err:?}");
}

// ---- The network's faults -----------------------------------------------------------------

#[tokio::test]
async fn a_create_slower_than_the_timeout_is_ambiguous() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(message(&sid(1), "queued", "outbound-api", pinned_now()))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;

    let mut config = config(&server.uri(), Sender::Number(OWN_NUMBER.into()));
    config.timeout = Duration::from_millis(300);
    let twilio = TwilioProvider::new(config).unwrap();

    let started = Instant::now();
    let err = twilio.send(&text("hi")).await.unwrap_err();
    let took = started.elapsed();
    let reason = ambiguous(err);
    assert!(reason.contains("did not answer in time"), "{reason}");
    assert!(
        took < Duration::from_secs(3),
        "the timeout was not kept: {took:?}"
    );
}

/// A raw listener that accepts every connection and drops it unanswered. The request is left
/// unread in the socket when it closes, so the kernel answers with a reset.
fn resetting_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::sleep(Duration::from_millis(50));
            drop(stream);
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_connection_reset_is_transient_and_leaves_a_create_ambiguous() {
    let twilio = provider(&resetting_server());
    let reason = ambiguous(twilio.send(&text("hi")).await.unwrap_err());
    assert!(reason.contains("broke off"), "{reason}");

    let (_, _) = transient(twilio.fetch_status(&sid(1)).await.unwrap_err());
    let (_, _) = transient(
        twilio
            .messages_to(CUSTOMER, pinned_now() - chrono::Duration::hours(1))
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn nothing_listening_is_transient() {
    // Bind, learn the port, close: nothing answers there now.
    let address = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let twilio = provider(&format!("http://{address}"));
    // No connection, no request: the text was certainly not taken.
    let (reason, _) = transient(twilio.send(&text("hi")).await.unwrap_err());
    assert!(reason.contains("could not reach"), "{reason}");
}

#[tokio::test]
async fn an_accepted_create_without_a_message_id_is_ambiguous() {
    let mut answer = message(&sid(1), "queued", "outbound-api", pinned_now());
    if let Some(fields) = answer.as_object_mut() {
        fields.remove("sid");
    }
    let err = send_answered_with(ResponseTemplate::new(201).set_body_json(answer)).await;
    assert!(ambiguous(err).contains("no message id"));
}

#[tokio::test]
async fn an_accepted_create_whose_answer_is_not_json_is_ambiguous() {
    let err = send_answered_with(
        ResponseTemplate::new(201).set_body_raw("{\"sid\": \"SM", "application/json"),
    )
    .await;
    assert!(ambiguous(err).contains("cut short"));
}

/// A raw server that promises a longer body than it sends, then hangs up.
fn cut_short_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let partial = br#"{"messages":[{"sid":"SM00000000000000000000000000000001","#;
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                        Content-Length: 4000\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(partial);
            let _ = stream.flush();
            drop(stream);
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_body_cut_off_mid_transfer_is_transient() {
    let twilio = provider(&cut_short_server());
    let (reason, _) = transient(
        twilio
            .list_first(&[("To", CUSTOMER.to_owned())], 50)
            .await
            .unwrap_err(),
    );
    assert!(reason.contains("cut short"), "{reason}");
}

#[tokio::test]
async fn a_truncated_list_page_is_an_error_not_partial_data() {
    let server = MockServer::start().await;
    let now = pinned_now();
    let full = page(
        vec![
            message(&sid(1), "delivered", "outbound-api", now),
            message(&sid(2), "delivered", "outbound-api", now),
        ],
        0,
        None,
    )
    .to_string();
    let truncated = full[..full.len() / 2].to_owned();
    let next = format!(
        "{}?To=%2B15558675310&PageSize=1000&Page=1&PageToken=PAsecond",
        messages_path()
    );

    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param_is_missing("Page"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![message(&sid(3), "delivered", "outbound-api", now)],
            0,
            Some(&next),
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param("Page", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(truncated.clone(), "application/json"),
        )
        .expect(2..)
        .mount(&server)
        .await;

    let twilio = provider(&server.uri());

    // The cut-short page on its own.
    let (reason, _) = transient(twilio.list_next(&next).await.unwrap_err());
    assert!(reason.contains("cut short"), "{reason}");

    // A walk that meets it fails as a whole: the first page's message is not handed back alone.
    let all = twilio
        .list_all(&[("To", CUSTOMER.to_owned())], |_| false)
        .await;
    assert!(
        matches!(all, Err(ProviderError::Transient { .. })),
        "{all:?}"
    );
    let reconciled = twilio
        .messages_to(CUSTOMER, now - chrono::Duration::hours(1))
        .await;
    assert!(
        matches!(reconciled, Err(ProviderError::Transient { .. })),
        "{reconciled:?}"
    );
    server.verify().await;
}

// ---- The requests that succeed ------------------------------------------------------------

#[tokio::test]
async fn create_sends_to_body_and_from_signed_with_the_account_sid() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(basic_auth(ACCOUNT, SECRET))
        .respond_with(ResponseTemplate::new(201).set_body_json(message(
            &sid(1),
            "queued",
            "outbound-api",
            pinned_now(),
        )))
        .expect(1)
        .mount(&server)
        .await;

    let body = "Hi Ana, see you at 3pm & bring 100% of your ID? ✂ +1";
    let receipt = provider(&server.uri()).send(&text(body)).await.unwrap();
    assert_eq!(receipt.provider_id, sid(1));
    assert_eq!(receipt.status, ProviderStatus::Queued);

    let request = only_request(&server).await;
    assert_eq!(header(&request, "authorization"), basic(ACCOUNT, SECRET));
    assert!(
        header(&request, "content-type").starts_with("application/x-www-form-urlencoded"),
        "{}",
        header(&request, "content-type")
    );
    assert_eq!(
        form(&request.body),
        expected_form(&[("To", CUSTOMER), ("Body", body), ("From", OWN_NUMBER)])
    );
}

#[tokio::test]
async fn an_api_key_signs_in_as_the_key_but_stays_in_the_account() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(basic_auth(API_KEY, SECRET))
        .respond_with(ResponseTemplate::new(201).set_body_json(message(
            &sid(2),
            "accepted",
            "outbound-api",
            pinned_now(),
        )))
        .expect(1)
        .mount(&server)
        .await;

    let mut config = config(&server.uri(), Sender::Number(OWN_NUMBER.into()));
    config.api_key_sid = Some(API_KEY.into());
    let receipt = TwilioProvider::new(config)
        .unwrap()
        .send(&text("hello"))
        .await
        .unwrap();
    assert_eq!(receipt.provider_id, sid(2));

    let request = only_request(&server).await;
    assert_eq!(header(&request, "authorization"), basic(API_KEY, SECRET));
    assert_eq!(request.url.path(), messages_path());
}

#[tokio::test]
async fn a_scheduled_create_goes_through_the_messaging_service() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(201).set_body_json(message(
            &sid(3),
            "scheduled",
            "outbound-api",
            pinned_now(),
        )))
        .expect(1)
        .mount(&server)
        .await;

    let twilio = TwilioProvider::new(config(
        &server.uri(),
        Sender::MessagingService(SERVICE.into()),
    ))
    .unwrap();
    let send_at = Utc.with_ymd_and_hms(2031, 5, 6, 14, 30, 0).unwrap();
    let receipt = twilio
        .send(&OutboundText {
            send_at: Some(send_at),
            ..text("Reminder: your appointment is tomorrow")
        })
        .await
        .unwrap();
    assert_eq!(receipt.provider_id, sid(3));
    assert_eq!(receipt.status, ProviderStatus::Scheduled);

    let request = only_request(&server).await;
    assert_eq!(
        form(&request.body),
        expected_form(&[
            ("To", CUSTOMER),
            ("Body", "Reminder: your appointment is tomorrow"),
            ("MessagingServiceSid", SERVICE),
            ("ScheduleType", "fixed"),
            ("SendAt", "2031-05-06T14:30:00Z"),
        ])
    );
}

#[tokio::test]
async fn scheduling_from_a_plain_number_is_refused_without_a_request() {
    let server = MockServer::start().await;
    let err = provider(&server.uri())
        .send(&OutboundText {
            send_at: Some(pinned_now() + chrono::Duration::hours(2)),
            ..text("later")
        })
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Permanent { .. }), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn cancel_posts_status_canceled_and_checks_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(message_path(&sid(4))))
        .respond_with(ResponseTemplate::new(200).set_body_json(message(
            &sid(4),
            "canceled",
            "outbound-api",
            pinned_now(),
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(message_path(&sid(5))))
        .respond_with(ResponseTemplate::new(200).set_body_json(message(
            &sid(5),
            "sent",
            "outbound-api",
            pinned_now(),
        )))
        .expect(1)
        .mount(&server)
        .await;

    let twilio = provider(&server.uri());
    twilio.cancel_scheduled(&sid(4)).await.unwrap();
    let kept = twilio.cancel_scheduled(&sid(5)).await.unwrap_err();
    assert!(matches!(kept, ProviderError::Permanent { .. }), "{kept:?}");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        form(&requests[0].body),
        expected_form(&[("Status", "canceled")])
    );
    server.verify().await;
}

#[tokio::test]
async fn list_all_follows_next_page_uri_across_three_pages_in_order() {
    let server = MockServer::start().await;
    let now = pinned_now();
    let second = format!(
        "{}?To=%2B15558675310&PageSize=1000&Page=1&PageToken=PAsecond",
        messages_path()
    );
    let third = format!(
        "{}?To=%2B15558675310&PageSize=1000&Page=2&PageToken=PAthird",
        messages_path()
    );
    let outbound = |n: u32| message(&sid(n), "delivered", "outbound-api", now);

    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param("To", CUSTOMER))
        .and(query_param_is_missing("Page"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![outbound(1), outbound(2)],
            0,
            Some(&second),
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param("Page", "1"))
        .and(query_param("PageToken", "PAsecond"))
        .and(query_param("To", CUSTOMER))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![outbound(3), outbound(4)],
            1,
            Some(&third),
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param("Page", "2"))
        .and(query_param("PageToken", "PAthird"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![outbound(5)], 2, None)))
        .expect(1)
        .mount(&server)
        .await;

    let all = provider(&server.uri())
        .list_all(&[("To", CUSTOMER.to_owned())], |_| false)
        .await
        .unwrap();
    let sids: Vec<String> = all.iter().map(|m| m.sid.clone().unwrap()).collect();
    assert_eq!(sids, (1..=5).map(sid).collect::<Vec<_>>());

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(header(request, "authorization"), basic(ACCOUNT, SECRET));
    }
    server.verify().await;
}

#[tokio::test]
async fn list_first_sends_the_page_size_and_filters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param("To", CUSTOMER))
        .and(query_param("DateSent>", "2031-05-06T00:00:00Z"))
        .and(query_param("PageSize", "50"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![], 0, None)))
        .expect(1)
        .mount(&server)
        .await;

    let listed = provider(&server.uri())
        .list_first(
            &[
                ("To", CUSTOMER.to_owned()),
                ("DateSent>", "2031-05-06T00:00:00Z".to_owned()),
            ],
            50,
        )
        .await
        .unwrap();
    assert!(listed.messages.is_empty());
    assert_eq!(listed.next_page_uri, None);
    server.verify().await;
}

#[tokio::test]
async fn messages_to_stops_at_messages_older_than_since() {
    let server = MockServer::start().await;
    let since = Utc.with_ymd_and_hms(2031, 5, 6, 12, 0, 0).unwrap();
    let at = |minutes: i64| since + chrono::Duration::minutes(minutes);
    let second = format!(
        "{}?To=%2B15558675310&PageSize=1000&Page=1&PageToken=PAsecond",
        messages_path()
    );
    let third = format!(
        "{}?To=%2B15558675310&PageSize=1000&Page=2&PageToken=PAthird",
        messages_path()
    );

    // Newest first, as Twilio lists them.
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param("To", CUSTOMER))
        .and(query_param_is_missing("Page"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![
                message(&sid(1), "delivered", "outbound-api", at(120)),
                message(&sid(2), "received", "inbound", at(90)),
                message(&sid(3), "sent", "outbound-api", at(60)),
            ],
            0,
            Some(&second),
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param("Page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![
                message(&sid(4), "queued", "outbound-api", at(0)),
                message(&sid(5), "delivered", "outbound-api", at(-30)),
            ],
            1,
            Some(&third),
        )))
        .expect(1)
        .mount(&server)
        .await;
    // Everything here is older than `since`: the walk must not ask for it.
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(query_param("Page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![message(&sid(6), "delivered", "outbound-api", at(-90))],
            2,
            None,
        )))
        .expect(0)
        .mount(&server)
        .await;

    let records = provider(&server.uri())
        .messages_to(CUSTOMER, since)
        .await
        .unwrap();
    let got: Vec<(String, ProviderStatus, DateTime<Utc>)> = records
        .iter()
        .map(|r| (r.provider_id.clone(), r.status, r.created_at))
        .collect();
    assert_eq!(
        got,
        vec![
            (sid(1), ProviderStatus::Delivered, at(120)),
            (sid(3), ProviderStatus::Sent, at(60)),
            (sid(4), ProviderStatus::Queued, at(0)),
        ]
    );
    assert!(records.iter().all(|r| r.to == CUSTOMER));
    assert_eq!(records[0].body, format!("body of {}", sid(1)));
    server.verify().await;
}
