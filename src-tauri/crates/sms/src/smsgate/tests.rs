//! Tests of reading the SMSGate app's answers: states, the reply cursor, errors.

use super::*;

#[test]
fn every_state_the_gateway_reports_reads_as_a_status() {
    assert_eq!(status_of("Pending"), ProviderStatus::Queued);
    assert_eq!(status_of("Processed"), ProviderStatus::Queued);
    assert_eq!(status_of("Sent"), ProviderStatus::Sent);
    assert_eq!(status_of("Delivered"), ProviderStatus::Delivered);
    assert_eq!(status_of("Failed"), ProviderStatus::Failed);
    assert_eq!(status_of("Cancelled"), ProviderStatus::Canceled);
    assert_eq!(status_of("Something new"), ProviderStatus::Queued);
}

#[test]
fn the_reply_cursor_keeps_the_ids_received_at_its_time() {
    let at = DateTime::parse_from_rfc3339("2027-03-01T12:00:00.250Z")
        .unwrap()
        .with_timezone(&Utc);
    let text = write_cursor(at, &["a".into(), "b".into()]);
    assert_eq!(text, "2027-03-01T12:00:00.250Z|a,b");
    let (read_at, ids) = read_cursor(Some(&text));
    assert_eq!(read_at, Some(at));
    assert_eq!(ids, HashSet::from(["a".to_owned(), "b".to_owned()]));
    assert_eq!(read_cursor(None), (None, HashSet::new()));
    assert_eq!(read_cursor(Some("garbage")).0, None);
}

#[test]
fn gateway_errors_read_as_words() {
    assert!(describe_gateway_error("RESULT_ERROR_GENERIC_FAILURE").contains("carrier refused"));
    assert!(describe_gateway_error("timeout").contains("in time"));
    assert_eq!(
        describe_gateway_error("weird"),
        "the gateway phone reported: weird"
    );
}
