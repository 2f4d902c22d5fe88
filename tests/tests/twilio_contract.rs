//! Twilio contract tests: every request `TwilioProvider` builds goes to Prism, which checks it
//! against Twilio's own OpenAPI description (`tests/contracts/twilio_api_v2010.json`, a copy of the one in the shared folder) and
//! answers with the spec's examples; with `--errors`, a request that breaks the spec gets 4xx
//! instead. The spec's example answers are also read with our own types, so a response shape
//! we cannot parse fails here too.
//!
//! Needs Prism: `npm ci --prefix tests` (`.ci/install` does it). No display, no WebDriver.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fs::File;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;
use tidings_e2e::crate_dir;
use tidings_e2e::prism::Prism;
use tidings_sms::twilio::{parse_twilio_time, TwilioAccount, TwilioMessage, TwilioPage};
use tidings_sms::{
    OutboundText, Provider, ProviderError, ProviderStatus, Sender, Sensitive, TwilioConfig,
    TwilioProvider,
};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const API_KEY: &str = "SKfedcba9876543210fedcba9876543210";
const SECRET: &str = "contract-test-secret";
const SERVICE: &str = "MG00112233445566778899aabbccddeeff";
const OWN_NUMBER: &str = "+15005550006";
const CUSTOMER: &str = "+15558675310";

fn spec_path() -> PathBuf {
    // Twilio's own description (MIT, licence beside it), kept in the repository so the
    // contract tests run from any clone.
    let spec = crate_dir().join("contracts/twilio_api_v2010.json");
    assert!(
        spec.is_file(),
        "Twilio's OpenAPI spec is missing at {}",
        spec.display()
    );
    spec
}

fn twilio(prism: &Prism, sender: Sender) -> TwilioProvider {
    let mut config = TwilioConfig::new(ACCOUNT, Sensitive::new(SECRET.to_owned()), sender);
    config.api_key_sid = Some(API_KEY.to_owned());
    config.base_url = prism.base_url();
    config.timeout = Duration::from_secs(10);
    TwilioProvider::new(config).unwrap()
}

/// The call must have been accepted (2xx) and its answer read; otherwise show what Prism said.
fn accepted<T>(what: &str, result: Result<T, ProviderError>, prism: &Prism) -> T {
    result.unwrap_or_else(|err| {
        panic!(
            "{what}: Prism did not accept the request or its answer could not be read: {err:?}\n\
             Prism's complaints:\n{}",
            prism.complaints()
        )
    })
}

fn message_sid(what: &str, m: &TwilioMessage) -> String {
    let sid = m
        .sid
        .clone()
        .unwrap_or_else(|| panic!("{what}: no sid in {m:?}"));
    assert!(
        sid.len() == 34 && (sid.starts_with("SM") || sid.starts_with("MM")),
        "{what}: odd sid {sid}"
    );
    sid
}

fn messages_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
}

/// Prism answers a list with the spec's own example, whose relative `uri`/`first_page_uri`/
/// `next_page_uri` break the spec's `format: uri`; with `--errors` Prism turns that into a 500
/// although the request passed. `__dynamic=true` (a Prism control parameter, removed before
/// validation) makes it generate a valid page from the schema instead.
const GENERATED: (&str, &str) = ("__dynamic", "true");

#[tokio::test(flavor = "multi_thread")]
async fn every_request_the_client_builds_is_accepted_by_twilios_spec() {
    let started = Instant::now();
    let prism = Prism::start(&spec_path());
    println!("Prism listened after {:.1?}", prism.started_in);

    let from_number = twilio(&prism, Sender::Number(OWN_NUMBER.into()));
    let from_service = twilio(&prism, Sender::MessagingService(SERVICE.into()));
    let now_text = OutboundText {
        to: CUSTOMER.into(),
        body: "Hi Ana, see you tomorrow at 3pm ✂ & thanks!".into(),
        send_at: None,
        key: None,
    };

    // Create, from a number.
    let created = accepted(
        "create with From",
        from_number.create(&now_text).await,
        &prism,
    );
    let sid = message_sid("create with From", &created);
    let receipt = accepted("send with From", from_number.send(&now_text).await, &prism);
    assert_eq!(receipt.provider_id.len(), 34);

    // Create, through a Messaging Service.
    let created = accepted(
        "create with MessagingServiceSid",
        from_service.create(&now_text).await,
        &prism,
    );
    message_sid("create with MessagingServiceSid", &created);

    // Scheduled create: Twilio wants SendAt between 15 minutes and 35 days ahead.
    let scheduled = OutboundText {
        send_at: Some(Utc::now() + chrono::Duration::hours(2)),
        ..now_text.clone()
    };
    let form = from_service.create_form(&scheduled);
    assert!(
        form.contains(&("ScheduleType", "fixed".to_owned())),
        "{form:?}"
    );
    let created = accepted(
        "scheduled create",
        from_service.create(&scheduled).await,
        &prism,
    );
    message_sid("scheduled create", &created);

    // Fetch, and its status as the dispatcher reads it.
    let fetched = accepted("fetch", from_number.fetch(&sid).await, &prism);
    message_sid("fetch", &fetched);
    let report = accepted("fetch_status", from_number.fetch_status(&sid).await, &prism);
    assert_eq!(
        report.error_code.is_some(),
        fetched.error_code.is_some(),
        "{report:?}"
    );

    // The first page, with the filters list_inbound and messages_to use.
    let since =
        (Utc::now() - chrono::Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for page_size in [50, 1000] {
        let page = accepted(
            "list first page",
            from_number
                .list_first(
                    &[
                        ("To", OWN_NUMBER.to_owned()),
                        ("DateSent>", since.clone()),
                        (GENERATED.0, GENERATED.1.to_owned()),
                    ],
                    page_size,
                )
                .await,
            &prism,
        );
        for m in &page.messages {
            message_sid("a listed message", m);
        }
    }
    accepted(
        "list first page filtered by To only",
        from_number
            .list_first(
                &[
                    ("To", CUSTOMER.to_owned()),
                    (GENERATED.0, GENERATED.1.to_owned()),
                ],
                1000,
            )
            .await,
        &prism,
    );

    // A later page, by the next_page_uri Twilio gives (a path on the same host).
    let next = format!(
        "{}?To=%2B15558675310&DateSent%3E=2031-05-06T00%3A00%3A00Z&PageSize=50&Page=1\
         &PageToken=PAMMc26223853f8c46b4ab7dfaa6abba0a26&{}={}",
        messages_path(),
        GENERATED.0,
        GENERATED.1
    );
    accepted("list next page", from_number.list_next(&next).await, &prism);

    // Cancel a scheduled message (POST Status=canceled).
    let canceled = accepted("cancel", from_service.cancel(&sid).await, &prism);
    message_sid("cancel", &canceled);

    // Test connection: GET Accounts/{Sid}.json.
    let account = accepted("check", from_number.check().await, &prism);
    assert!(account.status.is_some(), "{account:?}");

    // Nothing the client sent broke the spec.
    let complaints = prism.complaints();
    assert!(
        complaints.is_empty(),
        "Prism complained about the client's requests:\n{complaints}"
    );

    // The same Prism refuses broken requests, so the checks above can fail.
    let raw = reqwest::Client::new();
    let url = format!("{}{}", prism.base_url(), messages_path());
    let post = |form: &[(&str, &str)]| raw.post(&url).basic_auth(API_KEY, Some(SECRET)).form(form);
    let cases = [
        (
            "create without To",
            post(&[("Body", "hi"), ("From", OWN_NUMBER)]),
            422,
        ),
        (
            "create without auth",
            raw.post(&url)
                .form(&[("To", CUSTOMER), ("Body", "hi"), ("From", OWN_NUMBER)]),
            401,
        ),
        (
            "scheduled create with a SendAt that is not a date-time",
            post(&[
                ("To", CUSTOMER),
                ("Body", "hi"),
                ("MessagingServiceSid", SERVICE),
                ("ScheduleType", "fixed"),
                ("SendAt", "tomorrow at 3"),
            ]),
            422,
        ),
        (
            "create with a malformed MessagingServiceSid",
            post(&[
                ("To", CUSTOMER),
                ("Body", "hi"),
                ("MessagingServiceSid", "MG123"),
            ]),
            422,
        ),
        (
            "list with a PageSize over Twilio's maximum",
            raw.get(&url)
                .basic_auth(API_KEY, Some(SECRET))
                .query(&[("PageSize", "5000")]),
            422,
        ),
    ];
    for (what, request, expected) in cases {
        let status = request.send().await.unwrap().status().as_u16();
        assert_eq!(status, expected, "{what}: Prism answered {status}");
    }
    let complaints = prism.complaints();
    assert!(
        complaints.contains("must have required property 'To'"),
        "Prism did not name the missing property:\n{complaints}"
    );

    drop(prism);
    println!("Contract test took {:.1?}", started.elapsed());
}

/// Every example answer in the spec for the calls we make, read with our own types: a field
/// whose type we got wrong (say, `error_code` as a string) fails here.
#[test]
fn the_specs_example_answers_are_read_by_our_types() {
    let spec: Value = serde_json::from_reader(File::open(spec_path()).unwrap()).unwrap();
    let messages = "/2010-04-01/Accounts/{AccountSid}/Messages.json";
    let message = "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json";
    let account = "/2010-04-01/Accounts/{Sid}.json";
    let examples = |path: &str, method: &str, code: &str| -> Vec<(String, Value)> {
        let content =
            &spec["paths"][path][method]["responses"][code]["content"]["application/json"];
        let found: Vec<(String, Value)> = content["examples"]
            .as_object()
            .unwrap_or_else(|| panic!("no examples for {method} {path} {code}"))
            .iter()
            .map(|(name, e)| (name.clone(), e["value"].clone()))
            .collect();
        assert!(!found.is_empty(), "no examples for {method} {path} {code}");
        found
    };
    let check_message = |name: &str, m: &TwilioMessage| {
        let sid = m.sid.as_deref().unwrap_or_else(|| panic!("{name}: no sid"));
        assert_eq!(sid.len(), 34, "{name}");
        let created = m
            .date_created
            .as_deref()
            .unwrap_or_else(|| panic!("{name}: no date_created"));
        assert!(
            parse_twilio_time(created).is_some(),
            "{name}: cannot read date_created {created:?}"
        );
        let status = m
            .status
            .as_deref()
            .unwrap_or_else(|| panic!("{name}: no status"));
        let known = [
            "accepted",
            "scheduled",
            "canceled",
            "queued",
            "sending",
            "sent",
            "failed",
            "delivered",
            "undelivered",
            "receiving",
            "received",
            "read",
        ];
        assert!(known.contains(&status), "{name}: unknown status {status}");
    };

    let mut read = 0;
    for (path, method, code) in [
        (messages, "post", "201"),
        (message, "get", "200"),
        (message, "post", "200"),
    ] {
        for (name, value) in examples(path, method, code) {
            let m: TwilioMessage = serde_json::from_value(value)
                .unwrap_or_else(|err| panic!("{method} {path} example {name}: {err}"));
            check_message(&name, &m);
            read += 1;
        }
    }
    for (name, value) in examples(messages, "get", "200") {
        let page: TwilioPage = serde_json::from_value(value)
            .unwrap_or_else(|err| panic!("list example {name}: {err}"));
        for m in &page.messages {
            check_message(&name, m);
        }
        if let Some(next) = &page.next_page_uri {
            // Twilio gives the next page as a path on its own host, which list_next requires.
            assert!(next.starts_with("/2010-04-01/"), "{name}: {next}");
        }
        read += 1;
    }
    for (name, value) in examples(account, "get", "200") {
        let a: TwilioAccount = serde_json::from_value(value)
            .unwrap_or_else(|err| panic!("account example {name}: {err}"));
        assert!(a.status.is_some(), "{name}");
        read += 1;
    }
    assert!(read >= 10, "only {read} examples read");

    // The scheduled example really is how Twilio reports a held text.
    let scheduled = examples(messages, "post", "201")
        .into_iter()
        .find(|(name, _)| name == "createScheduledMessageWhatsapp")
        .map(|(_, v)| serde_json::from_value::<TwilioMessage>(v).unwrap())
        .unwrap();
    assert_eq!(
        tidings_sms::twilio::parse_status(scheduled.status.as_deref().unwrap()),
        ProviderStatus::Scheduled
    );
}
