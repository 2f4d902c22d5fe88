//! Replies from customers through the Sandbox carrier: keywords, open questions, opt-outs,
//! holding replies, and polls that never lose or repeat a reply.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    ConsentState, Purpose, SetupInput, SuppressReason, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, MessageStatus, Preset};

fn utc(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, 0, 0).unwrap()
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

struct Desk {
    _dir: tempfile::TempDir,
    engine: Engine,
    clock: Arc<FixedClock>,
    client: i64,
    phone: String,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(utc(3, 1, 12)));
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let c = engine
        .create_client(
            &ClientInput {
                name: "Ann Lee".into(),
                phone: "07400 123001".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .record_consent(
            &ConsentInput {
                client_id: c.id,
                purpose: Purpose::Service,
                action: ConsentAction::Granted,
                channel: ConsentChannel::PaperForm,
                recorded_by: "Sam".into(),
                occurred_at: None,
                evidence: None,
            },
            WriteSource::Ui,
        )
        .unwrap();
    Desk {
        _dir: dir,
        engine,
        clock,
        client: c.id,
        phone: c.phone,
    }
}

impl Desk {
    fn book(&self, start: DateTime<Utc>) -> i64 {
        self.engine
            .create_appointment(
                &AppointmentInput {
                    client_id: self.client,
                    starts_at: start,
                    ends_at: start + Duration::minutes(30),
                    service_id: None,
                    staff_id: None,
                    location: None,
                    notes: None,
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap()
            .id
    }

    fn says(&self, text: &str) -> Vec<tidings_engine::TickItem> {
        self.engine
            .sandbox()
            .unwrap()
            .customer_sends(&self.phone, text)
            .unwrap();
        run(self.engine.poll_inbound()).unwrap()
    }

    /// Texts the carrier delivered to the client, oldest first.
    fn delivered(&self) -> Vec<String> {
        run(tidings_sms::Provider::messages_to(
            self.engine.sandbox().unwrap(),
            &self.phone,
            utc(1, 1, 0),
        ))
        .unwrap()
        .into_iter()
        .map(|r| r.body)
        .collect()
    }
}

#[test]
fn yes_confirms_the_appointment_that_was_asked_about() {
    let d = desk();
    let first = d.book(utc(3, 3, 10));
    let second = d.book(utc(3, 10, 10));
    d.clock.set(utc(3, 2, 10));
    assert_eq!(run(d.engine.tick()).unwrap().sent.len(), 1);

    let received = d.says("Yes!");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].appointment_id, Some(first));
    assert_eq!(
        d.engine.appointment(first).unwrap().status,
        AppointmentStatus::Confirmed
    );
    assert_eq!(
        d.engine.appointment(second).unwrap().status,
        AppointmentStatus::Booked,
        "not asked yet"
    );
    assert!(d
        .delivered()
        .last()
        .unwrap()
        .starts_with("Thanks Ann, you're confirmed"));

    // Polling again repeats nothing.
    assert!(run(d.engine.poll_inbound()).unwrap().is_empty());
    assert_eq!(d.delivered().len(), 2);
}

#[test]
fn no_asks_to_reschedule_and_an_answer_without_a_question_goes_to_staff() {
    let d = desk();
    let appt = d.book(utc(3, 3, 10));
    // Nothing asked yet: "NO" is free text, answered once with the holding reply.
    d.says("no");
    assert_eq!(
        d.engine.appointment(appt).unwrap().status,
        AppointmentStatus::Booked
    );
    assert!(d.delivered()[0].starts_with("Thanks for your message"));
    d.says("hello?");
    assert_eq!(d.delivered().len(), 1, "one holding reply a day");

    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    d.says("R");
    assert_eq!(
        d.engine.appointment(appt).unwrap().status,
        AppointmentStatus::RescheduleRequested
    );
    assert!(d.delivered().last().unwrap().contains("new time"));
}

#[test]
fn stop_revokes_everything_at_once_with_the_reply_as_evidence() {
    let d = desk();
    let appt = d.book(utc(3, 3, 10));
    assert_eq!(
        d.engine.outbox(Some(appt)).unwrap()[0].status,
        MessageStatus::Planned
    );

    d.says("Stop.");
    let detail = d.engine.client_detail(d.client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    assert_eq!(detail.client.consent.marketing, ConsentState::Revoked);
    let event = detail.ledger.last().unwrap();
    assert_eq!(event.channel, ConsentChannel::SmsKeyword);
    assert_eq!(event.evidence.as_deref(), Some("Replied \"Stop.\""));
    assert!(event.message_id.is_some());
    let outbox = d.engine.outbox(Some(appt)).unwrap();
    assert_eq!(outbox[0].status, MessageStatus::Cancelled);
    assert_eq!(outbox[0].reason, Some(SuppressReason::OptedOut));
    assert_eq!(d.delivered().len(), 1, "one confirmation");
    assert!(d.delivered()[0].contains("won't get any more texts"));

    // Later bookings are planned but suppressed at send time, with the reason.
    let later = d.book(utc(3, 6, 10));
    d.clock.set(utc(3, 5, 10));
    let report = run(d.engine.tick()).unwrap();
    assert_eq!(report.suppressed[0].reason, Some(SuppressReason::OptedOut));
    assert_eq!(report.suppressed[0].appointment_id, Some(later));
    d.says("hello");
    assert_eq!(
        d.delivered().len(),
        1,
        "nothing more to an opted-out client"
    );

    // START (or YES while opted out) grants service consent again, and only that.
    d.says("yes");
    let detail = d.engine.client_detail(d.client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Granted);
    assert_eq!(detail.client.consent.marketing, ConsentState::Revoked);
}

#[test]
fn help_answers_and_free_text_opt_outs_are_flagged() {
    let d = desk();
    d.says("HELP");
    assert!(d.delivered()[0].contains("Reply STOP to opt out"));
    d.says("please stop texting me");
    let flagged = d.engine.outbox(None).unwrap().len();
    assert!(flagged >= 1);
    assert_eq!(
        d.engine
            .client_detail(d.client)
            .unwrap()
            .client
            .consent
            .service,
        ConsentState::Granted,
        "flagged for staff, not revoked"
    );
}

#[test]
fn an_unknown_number_is_kept_and_not_answered() {
    let d = desk();
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends("+447400999999", "STOP")
        .unwrap();
    let received = run(d.engine.poll_inbound()).unwrap();
    assert_eq!(received.len(), 1);
    assert!(run(tidings_sms::Provider::messages_to(
        d.engine.sandbox().unwrap(),
        "+447400999999",
        utc(1, 1, 0)
    ))
    .unwrap()
    .is_empty());
}
