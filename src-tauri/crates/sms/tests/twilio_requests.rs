//! The real `TwilioProvider` against a local server speaking Twilio's wire format: the
//! requests that succeed, checked byte for byte (paths, form bodies, Basic auth, paging), and
//! what their answers come out as. Its faults are in `twilio_faults.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod twilio_wire;

use chrono::{DateTime, TimeZone, Utc};
use tidings_sms::{OutboundText, Provider, ProviderError, ProviderStatus, Sender, TwilioProvider};
use wiremock::matchers::{basic_auth, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use twilio_wire::{
    basic, config, expected_form, form, header, message, message_path, messages_path, only_request,
    page, pinned_now, provider, sid, text, ACCOUNT, API_KEY, CUSTOMER, OWN_NUMBER, SECRET, SERVICE,
};

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
