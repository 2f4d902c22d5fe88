//! SMSGate contract tests: every request `SmsGateProvider` makes goes to Prism, which checks it
//! against the SMSGate app's own OpenAPI description (`tests/contracts/smsgate_local_api.json`,
//! Apache 2.0, notice beside it) and, with `--errors`, refuses one that breaks it; the answers
//! Prism makes from the description are read with our own types.
//!
//! Needs Prism: `npm ci --prefix tests` (`.ci/install` does it). No display, no WebDriver.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::time::Duration;

use chrono::{TimeZone, Utc};
use tidings_e2e::crate_dir;
use tidings_e2e::prism::Prism;
use tidings_sms::smsgate::{SmsGateConfig, SmsGateProvider};
use tidings_sms::{OutboundText, Provider, ProviderError, Sensitive};

fn gateway(prism: &Prism, password: &str) -> SmsGateProvider {
    SmsGateProvider::new(SmsGateConfig {
        base_url: prism.base_url(),
        username: "sms".into(),
        password: Sensitive::new(password.into()),
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

fn accepted<T>(what: &str, result: Result<T, ProviderError>, prism: &Prism) -> T {
    result.unwrap_or_else(|err| {
        panic!(
            "{what}: Prism did not accept the request or its answer could not be read: {err:?}\n\
             Prism's complaints:\n{}",
            prism.complaints()
        )
    })
}

/// Prism's lines about failed validation and refused requests. A 422 counts only as a number
/// of its own: Prism's port (e.g. 42285) appears on every line of its route list.
fn prism_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains('✖')
                || l.contains("did not pass")
                || l.contains("UNPROCESSABLE_ENTITY")
                || l.split(|c: char| !c.is_ascii_digit()).any(|n| n == "422")
        })
        .collect()
}

#[test]
fn a_port_with_422_in_it_is_not_a_refusal() {
    let listing = "[CLI] ℹ  info      GET        http://127.0.0.1:42285/health";
    assert!(prism_lines(listing).is_empty());
    let refused = "[HTTP SERVER] post /messages ℹ  info      Responding with 422";
    assert_eq!(prism_lines(refused), vec![refused]);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_request_the_client_makes_is_accepted_by_the_smsgate_spec() {
    let spec = crate_dir().join("contracts/smsgate_local_api.json");
    assert!(
        spec.is_file(),
        "SMSGate's OpenAPI description is missing at {}",
        spec.display()
    );
    // Prism's answers generated from this description do not pass it (its state enums read as
    // objects), so requests alone are checked: one that breaks the spec is refused with 422.
    let prism = Prism::start_checking_requests(&spec);
    let gate = gateway(&prism, "gateway-pass");

    let text = OutboundText {
        to: "+14155552671".into(),
        body: "Hi Ana, see you tomorrow at 3pm ✂ & thanks!".into(),
        send_at: None,
        key: Some("tdabcdef0123456789-42".into()),
    };
    let request = serde_json::to_value(gate.send_request(&text)).unwrap();
    assert_eq!(request["id"], "tdabcdef0123456789-42");
    assert_eq!(request["textMessage"]["text"], text.body);
    assert_eq!(request["phoneNumbers"][0], "+14155552671");
    assert_eq!(request["withDeliveryReport"], true);
    let receipt = accepted("send", gate.send(&text).await, &prism);
    assert!(!receipt.provider_id.is_empty());

    let state = accepted(
        "message",
        gate.message("tdabcdef0123456789-42").await,
        &prism,
    );
    assert!(!state.state.is_empty());
    accepted(
        "fetch_status",
        gate.fetch_status("tdabcdef0123456789-42").await,
        &prism,
    );

    let first = accepted("inbox", gate.list_inbound(None).await, &prism);
    let since_cursor = "2027-03-01T12:00:00.000Z|in-1".to_owned();
    accepted(
        "inbox from a cursor",
        gate.list_inbound(Some(&since_cursor)).await,
        &prism,
    );
    assert!(first.texts.iter().all(|t| !t.provider_id.is_empty()));

    accepted(
        "sent messages",
        gate.messages_to(
            "+14155552671",
            Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap(),
        )
        .await,
        &prism,
    );
    accepted("health and sign-in", gate.check().await, &prism);

    let log = prism.log_text();
    let received = log.matches("Request received").count();
    let passed = log
        .matches("The request passed the validation rules")
        .count();
    assert!(
        received >= 8,
        "the calls reached Prism ({received}):\n{log}"
    );
    assert_eq!(passed, received, "every request passed the spec:\n{log}");
    // Prism's own answers break this description (see above); the requests may not.
    let about_requests: Vec<&str> = prism_lines(&log)
        .into_iter()
        .filter(|l| !l.contains("Violation: response."))
        .collect();
    assert!(
        about_requests.is_empty(),
        "Prism found requests that break the spec:\n{}",
        about_requests.join("\n")
    );
}
