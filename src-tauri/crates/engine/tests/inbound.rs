//! Replies from customers through the Sandbox carrier: keywords, open questions, opt-outs,
//! holding replies, and polls that never lose or repeat a reply. Replies in Spanish are in
//! `inbound_spanish.rs`, the inbox's threads in `inbox_threads.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod sandbox_desk;

use chrono::Duration;
use tidings_engine::domain::{
    AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentState, SuppressReason,
    WriteSource,
};
use tidings_engine::{Engine, EngineConfig, MessageStatus};

use sandbox_desk::{desk, run, thread_of, utc, Desk};

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

    // Handled in full: the YES arrives read, and nothing waits for staff.
    let counts = d.engine.inbox_counts().unwrap();
    assert_eq!((counts.unread, counts.needs_reply), (0, 0), "{counts:?}");

    // A NO a day later contradicts the confirmation: reopened for staff as a reschedule
    // request (and answered as one), not left Confirmed behind a holding reply.
    d.clock.set(utc(3, 2, 18));
    d.says("No");
    assert_eq!(
        d.engine.appointment(first).unwrap().status,
        AppointmentStatus::RescheduleRequested
    );
    assert!(
        d.delivered().last().unwrap().contains("new time"),
        "{:?}",
        d.delivered()
    );
    let counts = d.engine.inbox_counts().unwrap();
    assert_eq!((counts.unread, counts.reschedule), (1, 1), "{counts:?}");

    // A YES in the very second the reminder went still counts as its answer.
    let insights = d.engine.insights("2027-03-02", "2027-03-02").unwrap();
    assert_eq!(
        (insights.response.count, insights.response.out_of),
        (1, 1),
        "{:?}",
        insights.response
    );
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

/// A STOP whose effects cannot all be written (here the consent ledger refuses the row, as a
/// locked or full disk would) leaves nothing behind: not the text, not its thread, not a
/// cancellation. The next poll routes it again and then all of it lands, once.
#[test]
fn a_stop_is_recorded_with_all_its_effects_or_not_at_all() {
    let d = desk();
    let appt = d.book(utc(3, 3, 10));
    let db = rusqlite::Connection::open(d._dir.path().join("t.sqlite3")).unwrap();
    db.execute_batch(
        "CREATE TRIGGER refuse_consent BEFORE INSERT ON consent_events
         BEGIN SELECT RAISE(ABORT, 'disk refused the write'); END;",
    )
    .unwrap();
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends(&d.phone, "STOP")
        .unwrap();
    assert!(run(d.engine.poll_inbound()).is_err());
    let inbound: i64 = db
        .query_row(
            "SELECT count(*) FROM messages WHERE direction = 'inbound'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(inbound, 0, "the text is not on record without its effects");
    assert!(d
        .engine
        .inbox(tidings_engine::InboxFilter::All)
        .unwrap()
        .threads
        .is_empty());
    assert_eq!(
        d.engine.outbox(Some(appt)).unwrap()[0].status,
        MessageStatus::Planned
    );
    assert!(d.delivered().is_empty());

    db.execute_batch("DROP TRIGGER refuse_consent").unwrap();
    assert_eq!(run(d.engine.poll_inbound()).unwrap().len(), 1);
    let detail = d.engine.client_detail(d.client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    assert_eq!(
        d.engine.outbox(Some(appt)).unwrap()[0].status,
        MessageStatus::Cancelled
    );
    // Handled in full, the STOP arrives read; the thread shows the newest text, its answer.
    let thread = thread_of(&d, tidings_engine::InboxFilter::All);
    assert_eq!(thread.unread, 0);
    assert!(
        thread.last_preview.contains("won't get any more texts"),
        "{}",
        thread.last_preview
    );
    assert_eq!(d.delivered().len(), 1, "one confirmation");
    // Polling again changes nothing.
    assert!(run(d.engine.poll_inbound()).unwrap().is_empty());
    assert_eq!(d.delivered().len(), 1);
}

/// The answer a text queues is on disk with it: if the process stops before sending it, the
/// next pass sends it, once.
#[test]
fn an_answer_queued_by_a_reply_goes_on_the_next_pass_if_the_process_stopped_first() {
    let d = desk();
    let path = d._dir.path().join("t.sqlite3");
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends(&d.phone, "HELP")
        .unwrap();
    // Sending is paused when the text arrives, so its answer stays queued; the process then
    // stops, as a crash right after the commit would leave it.
    let dir = d._dir.path().to_owned();
    let Desk { engine, clock, .. } = d;
    engine.pause_sending_by_user(WriteSource::Ui).unwrap();
    run(engine.poll_inbound()).unwrap();
    drop(engine);
    let db = rusqlite::Connection::open(&path).unwrap();
    let queued: i64 = db
        .query_row(
            "SELECT count(*) FROM messages WHERE reason = 'help_reply' AND status = 'planned'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 1);
    let engine = Engine::open(EngineConfig {
        db_path: path.clone(),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine.resume_sending(WriteSource::Ui).unwrap();
    run(engine.tick()).unwrap();
    run(engine.tick()).unwrap();
    let sent: Vec<String> = db
        .prepare("SELECT status FROM messages WHERE reason = 'help_reply'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_ne!(sent[0], "planned");
    drop(dir);
}

#[test]
fn help_answers_and_free_text_opt_outs_are_flagged() {
    let d = desk();
    d.says("HELP");
    assert!(d.delivered()[0].contains("Reply STOP to opt out"));
    let before = d.delivered().len();
    d.says("please stop texting me");
    let flagged = d.engine.outbox(None).unwrap().len();
    assert!(flagged >= 1);
    assert_eq!(
        d.delivered().len(),
        before,
        "a possible opt-out gets no automatic answer: {:?}",
        d.delivered()
    );
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

#[test]
fn paused_sending_still_reads_a_stop_and_its_confirmation_goes_on_resume() {
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    d.engine.pause_sending_by_user(WriteSource::Ui).unwrap();
    d.clock.set(utc(3, 2, 10));
    // The reminder is due, but nothing goes out while paused; the customer's STOP is read
    // by the same pass all the same.
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends(&d.phone, "STOP")
        .unwrap();
    let report = run(d.engine.tick()).unwrap();
    assert_eq!(report.received.len(), 1, "replies are read while paused");
    assert!(report.sent.is_empty());
    assert!(
        d.delivered().is_empty(),
        "nothing sent while paused: {:?}",
        d.delivered()
    );
    let detail = d.engine.client_detail(d.client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    let reminder = &d.engine.outbox(Some(appointment)).unwrap()[0];
    assert_eq!(reminder.status, MessageStatus::Cancelled, "{reminder:#?}");

    // Resumed: the confirmation goes (the one text allowed after STOP), the reminder not.
    d.engine.resume_sending(WriteSource::Ui).unwrap();
    run(d.engine.tick()).unwrap();
    let delivered = d.delivered();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert!(
        delivered[0].contains("you won't get any more texts"),
        "{delivered:?}"
    );
}

#[test]
fn a_possible_opt_out_holds_automated_texts_until_staff_review_it() {
    use tidings_engine::InboxFilter;
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    d.says("please stop texting me");
    assert!(d.delivered().is_empty(), "no automatic answer");

    // The reminder falls due: it waits, saying why.
    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    assert!(d.delivered().is_empty(), "{:?}", d.delivered());
    let held = &d.engine.outbox(Some(appointment)).unwrap()[0];
    assert_eq!(held.status, MessageStatus::Planned, "{held:#?}");
    assert!(
        held.reason_text
            .as_deref()
            .unwrap_or("")
            .contains("may ask us to stop"),
        "{held:#?}"
    );

    // Staff read it as not an opt-out: the reminder goes at the next look.
    let thread = thread_of(&d, InboxFilter::PossibleOptOut);
    d.engine
        .review_possible_opt_out(thread.id, false, "Sam", WriteSource::Ui)
        .unwrap();
    d.clock.set(utc(3, 2, 10) + Duration::minutes(5));
    run(d.engine.tick()).unwrap();
    assert_eq!(d.delivered().len(), 1, "{:?}", d.delivered());
    let sent = &d.engine.outbox(Some(appointment)).unwrap()[0];
    assert_eq!(sent.status, MessageStatus::Delivered, "{sent:#?}");
    assert_eq!(
        sent.reason_text, None,
        "the hold's reason is gone once it went"
    );
}

#[test]
fn a_stop_from_a_number_no_client_has_yet_still_stands_when_a_client_gets_it() {
    let d = desk();
    let sandbox = d.engine.sandbox().unwrap();
    sandbox.customer_sends("+447400999999", "Stop").unwrap();
    sandbox.customer_sends("+447400888888", "STOP").unwrap();
    sandbox.customer_sends("+447400888888", "START").unwrap();
    run(d.engine.poll_inbound()).unwrap();
    assert!(run(tidings_sms::Provider::messages_to(
        sandbox,
        "+447400999999",
        utc(1, 1, 0)
    ))
    .unwrap()
    .is_empty());

    // Added as a client later (the desk types the number, a booking brings it): opted out,
    // with the text as evidence, and nothing planned for them goes.
    let bo = d
        .engine
        .create_client(
            &ClientInput {
                name: "Bo Ray".into(),
                phone: "07400 999999".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(bo.consent.service, ConsentState::Revoked);
    assert_eq!(bo.consent.marketing, ConsentState::Revoked);
    let ledger = d.engine.client_detail(bo.id).unwrap().ledger;
    assert!(
        ledger.iter().all(|e| e.action == ConsentAction::Revoked
            && e.channel == ConsentChannel::SmsKeyword
            && e.message_id.is_some()
            && e.evidence
                .as_deref()
                .unwrap_or("")
                .contains("before the client was added")),
        "{ledger:#?}"
    );

    // A number that said START after its STOP is not opted out; editing a client onto the
    // opted-out number is.
    let cy = d
        .engine
        .create_client(
            &ClientInput {
                name: "Cy Dee".into(),
                phone: "07400 888888".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(cy.consent.service, ConsentState::None, "{cy:#?}");
    let ann = d
        .engine
        .update_client(
            d.client,
            &ClientInput {
                name: "Ann Lee".into(),
                phone: "07400 777777".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(
        ann.consent.service,
        ConsentState::Granted,
        "a number with no STOP"
    );
}

#[test]
fn stop_said_twice_or_typed_full_width_is_a_stop_and_stop_please_waits_for_review() {
    use tidings_engine::InboxFilter;
    for text in ["STOP STOP", "ＳＴＯＰ"] {
        let d = desk();
        d.says(text);
        let client = d.engine.client_detail(d.client).unwrap().client;
        assert_eq!(client.consent.service, ConsentState::Revoked, "{text:?}");
        assert!(
            d.delivered()[0].contains("won't get any more texts"),
            "{text:?}: {:?}",
            d.delivered()
        );
    }
    for text in ["Stop please", "STOP IT", "please unsubscribe"] {
        let d = desk();
        let appointment = d.book(utc(3, 3, 10));
        d.says(text);
        assert!(d.delivered().is_empty(), "{text:?}: no automatic answer");
        thread_of(&d, InboxFilter::PossibleOptOut);
        d.clock.set(utc(3, 2, 10));
        run(d.engine.tick()).unwrap();
        assert!(d.delivered().is_empty(), "{text:?}: the reminder waits");
        let held = &d.engine.outbox(Some(appointment)).unwrap()[0];
        assert_eq!(held.status, MessageStatus::Planned, "{text:?}: {held:#?}");
    }
}

#[test]
fn a_test_text_never_goes_to_a_number_that_texted_stop() {
    let d = desk();
    d.says("STOP");
    let err = run(d.engine.send_test_text(&d.phone, WriteSource::Ui, "desk")).unwrap_err();
    assert!(err.to_string().contains("opted out"), "{err}");
    assert_eq!(d.delivered().len(), 1, "only the opt-out confirmation");

    // A number no client has: its STOP is honoured too, until it texts START.
    let sandbox = d.engine.sandbox().unwrap();
    sandbox.customer_sends("+447400999999", "STOP").unwrap();
    run(d.engine.poll_inbound()).unwrap();
    let err = run(d
        .engine
        .send_test_text("07400 999999", WriteSource::Ui, "desk"))
    .unwrap_err();
    assert!(err.to_string().contains("texted STOP"), "{err}");
    sandbox.customer_sends("+447400999999", "START").unwrap();
    run(d.engine.poll_inbound()).unwrap();
    let sent = run(d
        .engine
        .send_test_text("07400 999999", WriteSource::Ui, "desk"))
    .unwrap();
    assert_eq!(sent.to, "+447400999999");

    // Any other number gets its test text.
    run(d
        .engine
        .send_test_text("07400 555555", WriteSource::Ui, "desk"))
    .unwrap();
}
