//! Reminders handed to Twilio ahead through a Messaging Service, held there until their time,
//! and taken back at Twilio when the appointment changes or the client opts out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod twilio_desk;

use tidings_engine::domain::{
    AppointmentInput, ConsentAction, ConsentChannel, ConsentInput, Purpose, WriteSource,
};
use tidings_engine::MessageStatus;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use twilio_desk::{desk, empty_lists, messages_path, twilio_message, utc, Desk};

/// A Twilio stand-in that accepts scheduled texts (unique ids), cancels them, and reports
/// them delivered once fetched.
async fn scheduling_twilio(server: &MockServer) {
    scheduling_twilio_answering_after(server, std::time::Duration::ZERO).await;
}

/// Twilio that schedules texts, and answers a create only after `delay`.
async fn scheduling_twilio_answering_after(server: &MockServer, delay: std::time::Duration) {
    empty_lists(server).await;
    let counter = std::sync::atomic::AtomicU32::new(1);
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(move |request: &wiremock::Request| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = String::from_utf8_lossy(&request.body).into_owned();
            let status = if body.contains("ScheduleType=fixed") {
                "scheduled"
            } else {
                "queued"
            };
            ResponseTemplate::new(201)
                .set_body_json(twilio_message(
                    &format!("SM{n:032}"),
                    "+14155552671",
                    "x",
                    status,
                ))
                .set_delay(delay)
        })
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"/Messages/SM[0-9]{32}\.json$"))
        .and(body_string_contains("Status=canceled"))
        .respond_with(ResponseTemplate::new(200).set_body_json(twilio_message(
            "SM00000000000000000000000000000001",
            "+14155552671",
            "x",
            "canceled",
        )))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"/Messages/SM[0-9]{32}\.json$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(twilio_message(
            "SM00000000000000000000000000000001",
            "+14155552671",
            "x",
            "delivered",
        )))
        .mount(server)
        .await;
}

async fn with_messaging_service(d: &Desk) {
    let mut input = d.input("");
    input.from_number = None;
    input.messaging_service_sid = Some("MG0123456789abcdef0123456789abcdef".into());
    d.engine
        .connect_twilio(&input, WriteSource::Ui, "desk")
        .await
        .unwrap();
    assert!(d.engine.provider_view().unwrap().hands_off);
}

async fn requests(d: &Desk, f: impl Fn(&wiremock::Request) -> bool) -> Vec<String> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| f(r))
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect()
}

#[tokio::test]
async fn with_a_messaging_service_reminders_are_handed_to_twilio_ahead_and_cancelled_there_on_change(
) {
    let d = desk().await;
    scheduling_twilio(&d.server).await;
    with_messaging_service(&d).await;
    let (_, appointment) = d.booked("(415) 555-2671");

    // A day and more ahead: handed over with its send time.
    d.tick_at(utc(3, 1, 15, 0)).await;
    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::ScheduledAtProvider, "{m:#?}");
    let creates = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path() == messages_path()
    })
    .await;
    assert_eq!(creates.len(), 1);
    assert!(creates[0].contains("ScheduleType=fixed"), "{}", creates[0]);
    assert!(
        creates[0].contains("SendAt=2027-03-02T18%3A00%3A00Z"),
        "{}",
        creates[0]
    );
    assert!(
        creates[0].contains("MessagingServiceSid=MG"),
        "{}",
        creates[0]
    );

    // Moved a day later: the handed-off text is cancelled at Twilio, the new one handed over.
    d.engine
        .update_appointment(
            appointment,
            &AppointmentInput {
                client_id: d.engine.outbox(Some(appointment)).unwrap()[0]
                    .client_id
                    .unwrap(),
                starts_at: utc(3, 4, 18, 0),
                ends_at: utc(3, 4, 19, 0),
                service_id: None,
                staff_id: None,
                location: None,
                notes: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    d.tick_at(utc(3, 1, 15, 5)).await;
    let cancels = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path().contains("/Messages/SM")
    })
    .await;
    assert_eq!(cancels, vec!["Status=canceled".to_owned()]);
    let all = d.messages(appointment);
    assert!(
        all.iter().any(|m| m.status == MessageStatus::Cancelled),
        "{all:#?}"
    );
    let live: Vec<_> = all
        .iter()
        .filter(|m| m.status == MessageStatus::ScheduledAtProvider)
        .collect();
    assert_eq!(live.len(), 1, "{all:#?}");
    assert_eq!(live[0].send_at, Some(utc(3, 3, 18, 0)));

    // Once its time has passed, its delivery is asked for like any sent text.
    d.tick_at(utc(3, 3, 18, 5)).await;
    let all = d.messages(appointment);
    assert!(
        all.iter().any(|m| m.status == MessageStatus::Delivered),
        "{all:#?}"
    );
}

/// The appointment is cancelled while its reminder is on its way to Twilio to be held there:
/// once Twilio has it, the gate runs again and the reminder is taken back at Twilio.
#[tokio::test]
async fn a_reminder_handed_off_while_its_appointment_is_cancelled_is_taken_back() {
    let d = desk().await;
    scheduling_twilio_answering_after(&d.server, std::time::Duration::from_millis(600)).await;
    with_messaging_service(&d).await;
    let (_, appointment) = d.booked("(415) 555-2671");

    let cancel_meanwhile = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(d.creates().await, 1, "Twilio has it");
        assert_eq!(
            d.only(appointment).status,
            MessageStatus::Sending,
            "and has not answered yet"
        );
        d.engine
            .set_appointment_status(
                appointment,
                tidings_engine::domain::AppointmentStatus::Cancelled,
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
    };
    tokio::join!(d.tick_at(utc(3, 1, 15, 0)), cancel_meanwhile);
    let m = d.only(appointment);
    assert_eq!(m.status, MessageStatus::Cancelled, "{m:#?}");

    d.tick_at(utc(3, 1, 15, 5)).await;
    let cancels = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path().contains("/Messages/SM")
    })
    .await;
    assert_eq!(cancels, vec!["Status=canceled".to_owned()]);
}

#[tokio::test]
async fn an_opt_out_takes_back_texts_waiting_at_twilio() {
    let d = desk().await;
    scheduling_twilio(&d.server).await;
    with_messaging_service(&d).await;
    let (client, appointment) = d.booked("(415) 555-2671");
    d.tick_at(utc(3, 1, 15, 0)).await;
    assert_eq!(
        d.only(appointment).status,
        MessageStatus::ScheduledAtProvider
    );

    d.engine
        .record_consent(
            &ConsentInput {
                client_id: client,
                purpose: Purpose::Service,
                action: ConsentAction::Revoked,
                channel: ConsentChannel::FrontDeskVerbal,
                recorded_by: "Sam".into(),
                occurred_at: None,
                evidence: Some("Asked us to stop texting".into()),
            },
            WriteSource::Ui,
        )
        .unwrap();
    d.tick_at(utc(3, 1, 15, 1)).await;
    let cancels = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path().contains("/Messages/SM")
    })
    .await;
    assert_eq!(cancels.len(), 1, "cancelled at Twilio");
    let all = d.messages(appointment);
    assert!(
        all.iter()
            .all(|m| m.status != MessageStatus::ScheduledAtProvider),
        "{all:#?}"
    );
    assert!(
        all.iter().any(|m| m.status == MessageStatus::Suppressed
            && m.reason == Some(tidings_engine::domain::SuppressReason::OptedOut)),
        "{all:#?}"
    );
    // No new text was handed over.
    let creates = requests(&d, |r| {
        r.method.as_str() == "POST" && r.url.path() == messages_path()
    })
    .await;
    assert_eq!(creates.len(), 1);
}
