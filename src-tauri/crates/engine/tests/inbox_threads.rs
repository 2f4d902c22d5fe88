//! The inbox over replies through the Sandbox carrier: threads staff read, answer, resolve and
//! assign, reschedule requests, possible opt-outs reviewed, unknown numbers, and search.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod sandbox_desk;

use tidings_engine::domain::{AppointmentStatus, ConsentState, WriteSource};
use tidings_engine::MessageStatus;

use sandbox_desk::{desk, run, thread_of, utc};

#[test]
fn a_question_opens_an_unread_thread_that_staff_answer_through_the_provider() {
    use tidings_engine::{Author, InboxFilter};
    let d = desk();
    let mut changes = d.engine.subscribe();
    d.says("Is there parking near you?");

    let thread = thread_of(&d, InboxFilter::NeedsReply);
    assert_eq!(thread.unread, 1);
    assert_eq!(thread.client_name.as_deref(), Some("Ann Lee"));
    assert_eq!(thread.last_preview, "Is there parking near you?");
    assert_eq!(d.engine.inbox_counts().unwrap().unread, 1);
    // The window (and a desktop notification) hear of it.
    let mut told = false;
    while let Ok(batch) = changes.try_recv() {
        told |= batch.changes.iter().any(|c| {
            matches!(c, tidings_engine::domain::Change::Reply { thread_id, from, .. }
                if *thread_id == thread.id && from == "Ann Lee")
        });
    }
    assert!(told);

    // Opening reads it.
    let view = d.engine.open_thread(thread.id, WriteSource::Ui).unwrap();
    assert_eq!(view.thread.unread, 0);
    assert!(view.texts.iter().any(|t| t.author == Author::Customer));
    assert!(!view.quick_replies.is_empty());

    // Staff answer; it goes through the carrier and settles the thread.
    let view = run(d.engine.reply_in_thread(
        thread.id,
        "Yes, free parking behind the shop.",
        WriteSource::Ui,
        "Sam",
    ))
    .unwrap();
    let last = view.texts.last().unwrap();
    assert_eq!(last.author, Author::Staff);
    assert_eq!(last.status, MessageStatus::Delivered);
    assert!(d
        .delivered()
        .contains(&"Yes, free parking behind the shop.".to_owned()));
    assert!(d
        .engine
        .inbox(InboxFilter::NeedsReply)
        .unwrap()
        .threads
        .is_empty());

    // Resolve and reopen.
    let view = d
        .engine
        .resolve_thread(thread.id, true, WriteSource::Ui)
        .unwrap();
    assert!(view.thread.resolved);
    assert_eq!(thread_of(&d, InboxFilter::Resolved).id, thread.id);
    let view = d
        .engine
        .assign_thread(thread.id, "  Jo  ", WriteSource::Ui)
        .unwrap();
    assert_eq!(view.thread.assignee.as_deref(), Some("Jo"));
    // A new text reopens it.
    d.says("Thanks!");
    assert_eq!(thread_of(&d, InboxFilter::Open).id, thread.id);
}

#[test]
fn staff_cannot_text_someone_who_opted_out_or_send_an_essay() {
    use tidings_engine::InboxFilter;
    let d = desk();
    d.says("What time do you open?");
    let thread = thread_of(&d, InboxFilter::NeedsReply);
    let long = "word ".repeat(120);
    let err = run(d
        .engine
        .reply_in_thread(thread.id, &long, WriteSource::Ui, "Sam"))
    .unwrap_err()
    .payload();
    assert_eq!(err.field.as_deref(), Some("body"));
    assert!(err.message.contains("keep it to 3"), "{}", err.message);
    let empty = run(d
        .engine
        .reply_in_thread(thread.id, "  ", WriteSource::Ui, "Sam"));
    assert!(empty.is_err());

    d.says("STOP");
    let view = d.engine.open_thread(thread.id, WriteSource::Ui).unwrap();
    assert!(view.cannot_reply.unwrap().contains("opted out"));
    let before = d.delivered().len();
    let err =
        run(d
            .engine
            .reply_in_thread(thread.id, "Sorry to see you go", WriteSource::Ui, "Sam"))
        .unwrap_err()
        .payload();
    assert!(err.message.contains("opted out"), "{}", err.message);
    assert_eq!(d.delivered().len(), before, "nothing sent");
}

#[test]
fn no_puts_the_thread_in_reschedule_requests_and_possible_opt_outs_are_reviewed() {
    use tidings_engine::InboxFilter;
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    d.says("NO");
    let thread = thread_of(&d, InboxFilter::Reschedule);
    assert!(thread.reschedule_requested);
    assert_eq!(
        d.engine.appointment(appointment).unwrap().status,
        AppointmentStatus::RescheduleRequested
    );

    d.says("please don't text me again");
    let thread = thread_of(&d, InboxFilter::PossibleOptOut);
    let view = d.engine.open_thread(thread.id, WriteSource::Ui).unwrap();
    assert!(view
        .texts
        .iter()
        .any(|t| t.flagged.as_deref() == Some("Possible opt-out — review")));
    let err = d
        .engine
        .review_possible_opt_out(thread.id, true, " ", WriteSource::Ui)
        .unwrap_err()
        .payload();
    assert_eq!(err.field.as_deref(), Some("recorded_by"));
    let view = d
        .engine
        .review_possible_opt_out(thread.id, true, "Sam", WriteSource::Ui)
        .unwrap();
    assert!(!view.thread.possible_opt_out);
    let client = view.client.unwrap();
    assert_eq!(client.consent.service, ConsentState::Revoked);
    let ledger = d.engine.client_detail(d.client).unwrap().ledger;
    let last = ledger.last().unwrap();
    assert!(last
        .evidence
        .as_deref()
        .unwrap()
        .contains("please don't text me again"));
}

#[test]
fn an_unknown_number_gets_a_thread_and_a_client_can_be_made_from_it() {
    use tidings_engine::InboxFilter;
    let d = desk();
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends("+447400999888", "Hi, do you have space Friday?")
        .unwrap();
    run(d.engine.poll_inbound()).unwrap();
    let thread = thread_of(&d, InboxFilter::Unknown);
    assert_eq!(thread.client_name, None);
    assert_eq!(thread.phone, "+447400999888");
    let view = d
        .engine
        .create_client_from_thread(thread.id, "Bea Moss", WriteSource::Ui, "Sam")
        .unwrap();
    assert_eq!(view.client.unwrap().name, "Bea Moss");
    assert!(d
        .engine
        .inbox(InboxFilter::Unknown)
        .unwrap()
        .threads
        .is_empty());
    assert_eq!(
        thread_of(&d, InboxFilter::NeedsReply)
            .client_name
            .as_deref(),
        Some("Bea Moss")
    );
}

#[test]
fn full_text_search_finds_texts_and_never_reads_input_as_query_syntax() {
    let d = desk();
    d.says("Is there parking near the café?");
    d.says("Running ten minutes late");
    let hits = d.engine.search_inbox("park").unwrap();
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert!(hits[0].snippet.contains("«parking»"), "{}", hits[0].snippet);
    assert!(hits[0].thread_id.is_some());
    assert_eq!(
        d.engine.search_inbox("CAFE").unwrap().len(),
        1,
        "accents folded"
    );
    for odd in ["\"", "late OR", "NEAR(", "*", "late\" OR \"x", ""] {
        assert!(d.engine.search_inbox(odd).is_ok(), "{odd:?}");
    }
    assert!(d
        .engine
        .search_inbox("nothing-like-this")
        .unwrap()
        .is_empty());
}
