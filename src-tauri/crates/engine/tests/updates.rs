//! Status updates and day-wide notices: who gets them and why not, resumption without
//! duplicates, quiet hours (and the explicit urgent exception), and replies to a notice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    Purpose, SetupInput, WriteSource,
};
use tidings_engine::{
    Engine, EngineConfig, FixedClock, InboxFilter, MessageStatus, NoticeExclusion, NoticeInput,
    UpdateInput,
};

fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, d, h, m, 0).unwrap()
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

struct Desk {
    dir: tempfile::TempDir,
    engine: Engine,
    clock: Arc<FixedClock>,
}

fn open(dir: &tempfile::TempDir, clock: Arc<FixedClock>) -> Engine {
    Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        clock,
        ..EngineConfig::new(Default::default())
    })
    .unwrap()
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    // Tuesday 2 March 2027, 09:00 in London.
    let clock = Arc::new(FixedClock::new(utc(2, 9, 0)));
    let engine = open(&dir, clock.clone());
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    Desk { dir, engine, clock }
}

impl Desk {
    fn client(&self, name: &str, phone: &str, consent: Option<ConsentAction>) -> i64 {
        let c = self
            .engine
            .create_client(
                &ClientInput {
                    name: name.into(),
                    phone: phone.into(),
                    ..ClientInput::default()
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
        if let Some(action) = consent {
            self.engine
                .record_consent(
                    &ConsentInput {
                        client_id: c.id,
                        purpose: Purpose::Service,
                        action,
                        channel: ConsentChannel::PaperForm,
                        recorded_by: "Sam".into(),
                        occurred_at: None,
                        evidence: None,
                    },
                    WriteSource::Ui,
                )
                .unwrap();
        }
        c.id
    }

    fn book(&self, client_id: i64, start: DateTime<Utc>) -> i64 {
        self.engine
            .create_appointment(
                &AppointmentInput {
                    client_id,
                    starts_at: start,
                    ends_at: start + Duration::minutes(45),
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

    fn delivered_to(&self, phone: &str) -> Vec<String> {
        run(tidings_sms::Provider::messages_to(
            self.engine.sandbox().unwrap(),
            phone,
            utc(1, 0, 0),
        ))
        .unwrap()
        .into_iter()
        .map(|r| r.body)
        .collect()
    }
}

fn notice(date: &str, text: &str) -> NoticeInput {
    NoticeInput {
        date: date.into(),
        staff_id: None,
        from_time: None,
        to_time: None,
        text: text.into(),
        urgent: false,
    }
}

#[test]
fn running_late_goes_to_the_customer_and_shows_on_the_appointment() {
    let d = desk();
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    let appointment = d.book(ann, utc(2, 10, 30));
    let late = UpdateInput {
        template_key: Some("update_running_late".into()),
        text: None,
        minutes: None,
    };
    let err = run(d
        .engine
        .send_update(appointment, &late, WriteSource::Ui, "Sam"))
    .unwrap_err()
    .payload();
    assert_eq!(err.field.as_deref(), Some("minutes"));

    let late = UpdateInput {
        minutes: Some(20),
        ..late
    };
    let preview = d.engine.preview_update(appointment, &late).unwrap();
    assert!(
        preview
            .text
            .contains("about 20 minutes late for your 10:30"),
        "{}",
        preview.text
    );
    assert_eq!(preview.blocked, None);
    let sent = run(d
        .engine
        .send_update(appointment, &late, WriteSource::Ui, "Sam"))
    .unwrap();
    assert_eq!(sent.status, MessageStatus::Delivered);
    assert!(d.delivered_to("+447400123001").contains(&preview.text));
    // In the appointment's timeline.
    assert!(d
        .engine
        .outbox(Some(appointment))
        .unwrap()
        .iter()
        .any(|m| m.body == preview.text));
}

#[test]
fn updates_respect_consent_and_quiet_hours() {
    let d = desk();
    let bo = d.client("Bo Ray", "07400 123002", Some(ConsentAction::Revoked));
    let cy = d.client("Cy Dee", "07400 123003", None);
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    let ready = UpdateInput {
        template_key: Some("update_ready".into()),
        text: None,
        minutes: None,
    };
    for (client, words) in [(bo, "opted out"), (cy, "hasn't agreed")] {
        let a = d.book(client, utc(2, 11, 0));
        let err = run(d.engine.send_update(a, &ready, WriteSource::Ui, "Sam"))
            .unwrap_err()
            .payload();
        assert!(err.message.contains(words), "{}", err.message);
    }
    let a = d.book(ann, utc(3, 9, 0));
    d.clock.set(utc(2, 22, 30));
    let err = run(d.engine.send_update(a, &ready, WriteSource::Ui, "Sam"))
        .unwrap_err()
        .payload();
    assert!(err.message.contains("quiet hours"), "{}", err.message);
    assert!(d.delivered_to("+447400123001").is_empty());
}

#[test]
fn a_notice_preview_says_who_gets_it_and_why_not() {
    let d = desk();
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    let bo = d.client("Bo Ray", "07400 123002", Some(ConsentAction::Revoked));
    let cy = d.client("Cy Dee", "07400 123003", None);
    let di = d.client("Di Fox", "07400 123004", Some(ConsentAction::Granted));
    d.book(ann, utc(4, 10, 0));
    d.book(bo, utc(4, 11, 0));
    d.book(cy, utc(4, 12, 0));
    let di_appt = d.book(di, utc(4, 13, 0));
    let gone = d.book(ann, utc(4, 15, 0));
    d.engine
        .set_appointment_status(gone, AppointmentStatus::Cancelled, WriteSource::Ui, "desk")
        .unwrap();
    d.book(ann, utc(5, 10, 0)); // another day
    {
        let conn = rusqlite::Connection::open(d.dir.path().join("t.sqlite3")).unwrap();
        conn.execute(
            "UPDATE clients SET unreachable_reason = 'landline' WHERE id = ?1",
            [di],
        )
        .unwrap();
    }

    let text = "{business}: sorry, we're closed on {weekday} because of the storm. Reply 1 to pick a new time.";
    let preview = d
        .engine
        .preview_notice(&notice("2027-03-04", text))
        .unwrap();
    let reasons: Vec<(String, Option<NoticeExclusion>)> = preview
        .recipients
        .iter()
        .map(|r| (r.client_name.clone(), r.excluded))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("Ann Lee".to_owned(), None),
            ("Bo Ray".to_owned(), Some(NoticeExclusion::OptedOut)),
            ("Cy Dee".to_owned(), Some(NoticeExclusion::NoConsent)),
            ("Di Fox".to_owned(), Some(NoticeExclusion::InvalidNumber)),
        ]
    );
    assert_eq!((preview.sending, preview.skipped), (1, 3));
    assert!(preview.recipients[0].text.contains("closed on Thursday"));
    let _ = di_appt;

    // Only some hours.
    let mut morning = notice("2027-03-04", text);
    morning.from_time = Some("09:00".into());
    morning.to_time = Some("11:30".into());
    assert_eq!(
        d.engine.preview_notice(&morning).unwrap().recipients.len(),
        2
    );
}

#[test]
fn a_notice_refuses_bad_input_and_loses_nothing() {
    let d = desk();
    let bo = d.client("Bo Ray", "07400 123002", Some(ConsentAction::Revoked));
    d.book(bo, utc(4, 10, 0));
    let field = |input: NoticeInput| {
        d.engine
            .send_notice(&input, WriteSource::Ui, "Sam")
            .unwrap_err()
            .payload()
            .field
    };
    assert_eq!(field(notice("2027-03-04", "  ")), Some("text".into()));
    assert_eq!(field(notice("2027-03-09", "Closed")), Some("date".into()));
    assert_eq!(field(notice("4 March", "Closed")), Some("date".into()));
    let nobody = d
        .engine
        .send_notice(&notice("2027-03-04", "Closed"), WriteSource::Ui, "Sam")
        .unwrap_err()
        .payload();
    assert!(
        nobody.message.contains("Nobody can get this notice"),
        "{}",
        nobody.message
    );
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    d.book(ann, utc(4, 11, 0));
    assert_eq!(
        field(notice("2027-03-04", &"Closed today. ".repeat(40))),
        Some("text".into())
    );
    assert_eq!(
        field(notice("2027-03-04", "Closed {colour}")),
        Some("text".into())
    );
}

#[test]
fn a_half_sent_notice_resumes_after_a_restart_and_never_repeats() {
    let d = desk();
    let mut phones = Vec::new();
    for i in 0..3 {
        let phone = format!("07400 12300{}", i + 1);
        let c = d.client(&format!("Client {i}"), &phone, Some(ConsentAction::Granted));
        d.book(c, utc(4, 10 + i, 0));
        phones.push(format!("+4474001230{:02}", i + 1));
    }
    let progress = d
        .engine
        .send_notice(
            &notice("2027-03-04", "Closed Thursday. Reply 1 to pick a new time."),
            WriteSource::Ui,
            "Sam",
        )
        .unwrap();
    assert_eq!((progress.total, progress.waiting), (3, 3));
    // One scheduler pass sends every text of the notice.
    run(d.engine.tick()).unwrap();
    let sent_first = phones
        .iter()
        .map(|p| d.delivered_to(p).len())
        .sum::<usize>();
    assert_eq!(sent_first, 3, "a pass sends the whole notice");

    // A notice queued but not yet sent when the app closes goes at the next start, once.
    let c = d.client("Late Booker", "07400 123009", Some(ConsentAction::Granted));
    d.book(c, utc(5, 10, 0));
    let second = d
        .engine
        .send_notice(
            &notice("2027-03-05", "Closed Friday. Reply 1 to pick a new time."),
            WriteSource::Ui,
            "Sam",
        )
        .unwrap();
    {
        let conn = rusqlite::Connection::open(d.dir.path().join("t.sqlite3")).unwrap();
        // Claimed, its text on record, then the process died before the provider call.
        conn.execute(
            "UPDATE messages SET status = 'sending', claimed_at = '2027-03-02T09:00:00Z' WHERE notice_id = ?1",
            [second.notice_id],
        )
        .unwrap();
    }
    let Desk { dir, engine, clock } = d;
    drop(engine);
    let engine = open(&dir, clock.clone());
    run(engine.tick()).unwrap();
    run(engine.tick()).unwrap();
    let progress = engine.notice_progress(second.notice_id).unwrap();
    assert_eq!((progress.sent, progress.waiting), (1, 0));
    let got = run(tidings_sms::Provider::messages_to(
        engine.sandbox().unwrap(),
        "+447400123009",
        utc(1, 0, 0),
    ))
    .unwrap();
    assert_eq!(got.len(), 1, "sent exactly once");
}

#[test]
fn replying_1_to_a_notice_asks_to_reschedule_and_tops_the_inbox() {
    let d = desk();
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    let appointment = d.book(ann, utc(4, 10, 0));
    d.engine
        .send_notice(
            &notice(
                "2027-03-04",
                "Closed Thursday because of the storm. Reply 1 to pick a new time.",
            ),
            WriteSource::Ui,
            "Sam",
        )
        .unwrap();
    run(d.engine.tick()).unwrap();
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends("+447400123001", "1")
        .unwrap();
    run(d.engine.poll_inbound()).unwrap();
    assert_eq!(
        d.engine.appointment(appointment).unwrap().status,
        AppointmentStatus::RescheduleRequested
    );
    let threads = d.engine.inbox(InboxFilter::Reschedule).unwrap().threads;
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0].client_id, Some(ann));
}

#[test]
fn a_notice_waits_out_quiet_hours_unless_sent_as_urgent_which_is_audited() {
    let d = desk();
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    d.book(ann, utc(3, 10, 0));
    d.clock.set(utc(2, 22, 0));
    let calm = notice("2027-03-03", "Closed tomorrow. Reply 1 to pick a new time.");
    let preview = d.engine.preview_notice(&calm).unwrap();
    assert_eq!(preview.waits_until, Some(utc(3, 8, 0)));
    let first = d.engine.send_notice(&calm, WriteSource::Ui, "Sam").unwrap();
    run(d.engine.tick()).unwrap();
    assert_eq!(
        d.engine.notice_progress(first.notice_id).unwrap().waiting,
        1
    );
    assert!(d.delivered_to("+447400123001").is_empty());

    let urgent = NoticeInput {
        urgent: true,
        text: "Flood: closed tomorrow. Reply 1 to pick a new time.".into(),
        ..calm
    };
    let second = d
        .engine
        .send_notice(&urgent, WriteSource::Ui, "Sam")
        .unwrap();
    run(d.engine.tick()).unwrap();
    assert_eq!(d.engine.notice_progress(second.notice_id).unwrap().sent, 1);
    let audit = d.engine.recent_audit(5).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.entity == "notice" && e.action == "send_urgent"));
    // The calm one goes at 08:00.
    d.clock.set(utc(3, 8, 0));
    run(d.engine.tick()).unwrap();
    assert_eq!(d.engine.notice_progress(first.notice_id).unwrap().sent, 1);
}

fn follow_ups_on(d: &Desk, hours: u32) {
    d.engine
        .update_settings(
            &tidings_engine::domain::SettingsUpdate {
                follow_up_hours: Some(hours),
                ..Default::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
}

fn follow_ups(d: &Desk, appointment: i64) -> Vec<tidings_engine::OutboxMessage> {
    d.engine
        .outbox(Some(appointment))
        .unwrap()
        .into_iter()
        // The desk has no reminder rules, so every planned text here is the follow-up.
        .filter(|m| m.status == MessageStatus::Planned)
        .collect()
}

#[test]
fn asking_how_it_went_after_a_completed_visit_records_the_answer() {
    let d = desk();
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    let visit = d.book(ann, utc(2, 9, 30));
    // Off by default: completing asks nothing.
    d.clock.set(utc(2, 10, 20));
    d.engine
        .set_appointment_status(visit, AppointmentStatus::Completed, WriteSource::Ui, "desk")
        .unwrap();
    assert!(d.engine.outbox(Some(visit)).unwrap().is_empty());

    let second = d.book(ann, utc(2, 11, 0));
    follow_ups_on(&d, 2);
    d.clock.set(utc(2, 11, 50));
    d.engine
        .set_appointment_status(
            second,
            AppointmentStatus::Completed,
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    let planned = follow_ups(&d, second);
    assert_eq!(planned.len(), 1, "{planned:#?}");
    assert_eq!(planned[0].send_at, Some(utc(2, 13, 50)));
    // Marking it completed again does not ask twice.
    d.engine
        .set_appointment_status(
            second,
            AppointmentStatus::Confirmed,
            WriteSource::Ui,
            "desk",
        )
        .ok();
    d.engine
        .set_appointment_status(
            second,
            AppointmentStatus::Completed,
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    d.clock.set(utc(2, 13, 50));
    run(d.engine.tick()).unwrap();
    let asked: Vec<String> = d
        .delivered_to("+447400123001")
        .into_iter()
        .filter(|b| b.contains("How was your"))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");

    d.engine
        .sandbox()
        .unwrap()
        .customer_sends("+447400123001", "5")
        .unwrap();
    run(d.engine.poll_inbound()).unwrap();
    assert_eq!(
        d.engine.appointment(second).unwrap().feedback.as_deref(),
        Some("5")
    );
    assert!(d
        .engine
        .inbox(InboxFilter::NeedsReply)
        .unwrap()
        .threads
        .is_empty());
}

#[test]
fn no_follow_up_for_a_no_show_and_a_poor_answer_goes_to_staff() {
    let d = desk();
    follow_ups_on(&d, 2);
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    let missed = d.book(ann, utc(2, 9, 30));
    d.clock.set(utc(2, 10, 20));
    d.engine
        .set_appointment_status(
            missed,
            AppointmentStatus::Completed,
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    // Oops: they never came.
    d.engine
        .set_appointment_status(missed, AppointmentStatus::NoShow, WriteSource::Ui, "desk")
        .unwrap();
    d.clock.set(utc(2, 12, 30));
    run(d.engine.tick()).unwrap();
    assert!(d.delivered_to("+447400123001").is_empty());

    // Late in the day: the question waits for the morning, and "2" is for staff.
    let evening = d.book(ann, utc(2, 19, 0));
    d.clock.set(utc(2, 19, 50));
    d.engine
        .set_appointment_status(
            evening,
            AppointmentStatus::Completed,
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    d.clock.set(utc(2, 21, 50));
    run(d.engine.tick()).unwrap();
    assert!(d.delivered_to("+447400123001").is_empty(), "not at night");
    d.clock.set(utc(3, 8, 0));
    run(d.engine.tick()).unwrap();
    assert_eq!(d.delivered_to("+447400123001").len(), 1);
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends("+447400123001", "2")
        .unwrap();
    run(d.engine.poll_inbound()).unwrap();
    assert_eq!(
        d.engine.appointment(evening).unwrap().feedback.as_deref(),
        Some("2")
    );
    assert_eq!(
        d.engine
            .inbox(InboxFilter::NeedsReply)
            .unwrap()
            .threads
            .len(),
        1,
        "a poor visit is for staff to follow up"
    );
}
