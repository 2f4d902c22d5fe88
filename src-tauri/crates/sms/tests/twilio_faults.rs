//! The real `TwilioProvider` against a local server speaking Twilio's wire format: the paths
//! under `/2010-04-01/Accounts/AC…/`, form bodies, Basic auth and Twilio's JSON (RFC 2822
//! dates, `{"code":…,"message":…}` errors). Each fault the network or Twilio can produce must
//! come out as the `ProviderError` that tells the dispatcher what to do next. The requests
//! that succeed are in `twilio_requests.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod twilio_wire;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use tidings_sms::{Provider, ProviderError, Sender, TwilioProvider};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use twilio_wire::{
    ambiguous, config, message, message_path, messages_path, page, pinned_now, provider,
    send_answered_with, sid, text, transient, twilio_error, CUSTOMER, OWN_NUMBER,
};

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
