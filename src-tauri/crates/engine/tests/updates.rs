//! Status updates and day-wide notices: who gets them and why not, resumption without
//! duplicates, quiet hours (and the explicit urgent exception), and replies to a notice.
//! Follow-ups after a visit are in `follow_ups.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod updates_desk;

use tidings_engine::domain::{AppointmentStatus, ConsentAction, WriteSource};
use tidings_engine::{InboxFilter, MessageStatus, NoticeExclusion, NoticeInput, UpdateInput};

use updates_desk::{desk, notice, open, run, utc, Desk};

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

#[test]
fn an_update_about_an_appointment_that_is_over_is_refused_and_minutes_go_only_with_late() {
    let d = desk();
    let ann = d.client("Ann Lee", "07400 123001", Some(ConsentAction::Granted));
    let morning = d.book(ann, utc(2, 10, 30));
    let late = UpdateInput {
        template_key: Some("update_running_late".into()),
        text: None,
        minutes: Some(5),
    };
    // 11:15, the 45-minute visit is over: nothing about it goes any more, typed or ready.
    d.clock.set(utc(2, 11, 15));
    let preview = d.engine.preview_update(morning, &late).unwrap();
    assert!(
        preview.blocked.as_deref().unwrap_or("").contains("is over"),
        "{preview:#?}"
    );
    let typed = UpdateInput {
        template_key: None,
        text: Some("Your table is ready".into()),
        minutes: None,
    };
    for input in [&late, &typed] {
        let err = run(d.engine.send_update(morning, input, WriteSource::Ui, "Sam")).unwrap_err();
        assert!(err.to_string().contains("is over"), "{err}");
    }
    assert!(d.delivered_to("+447400123001").is_empty());

    // Minutes belong to the running-late update only.
    let later = d.book(ann, utc(2, 15, 0));
    let ready = UpdateInput {
        template_key: Some("update_ready".into()),
        text: None,
        minutes: Some(10),
    };
    let err = run(d.engine.send_update(later, &ready, WriteSource::Ui, "Sam"))
        .unwrap_err()
        .payload();
    assert_eq!(err.field.as_deref(), Some("minutes"));
    let ready = UpdateInput {
        minutes: None,
        ..ready
    };
    run(d.engine.send_update(later, &ready, WriteSource::Ui, "Sam")).unwrap();
    assert_eq!(d.delivered_to("+447400123001").len(), 1);
}
