//! What waits for a client follows changes to the client: a new number takes the plan with it,
//! and archiving takes back what waited (unarchiving plans it again).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod sandbox_desk;

use tidings_engine::domain::{ClientInput, SuppressReason, WriteSource};
use tidings_engine::MessageStatus;

use sandbox_desk::{desk, run, utc};

#[test]
fn a_new_number_takes_the_plan_with_it_and_nothing_goes_to_the_old_one() {
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    let before = d.engine.outbox(Some(appointment)).unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].to, d.phone);
    let input = ClientInput {
        name: "Ann Lee".into(),
        phone: "07400 123999".into(),
        ..ClientInput::default()
    };
    let changed = d
        .engine
        .update_client(d.client, &input, WriteSource::Ui, "desk")
        .unwrap();
    let after = d.engine.outbox(Some(appointment)).unwrap();
    let old = after.iter().find(|m| m.id == before[0].id).unwrap();
    assert_eq!(old.status, MessageStatus::Cancelled, "{after:#?}");
    assert_eq!(old.reason, Some(SuppressReason::NumberChanged));
    let live: Vec<_> = after
        .iter()
        .filter(|m| m.status == MessageStatus::Planned)
        .collect();
    assert_eq!(live.len(), 1, "{after:#?}");
    assert_eq!(live[0].to, changed.phone);

    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    let to_new = run(tidings_sms::Provider::messages_to(
        d.engine.sandbox().unwrap(),
        &changed.phone,
        utc(1, 1, 0),
    ))
    .unwrap();
    assert_eq!(to_new.len(), 1);
    assert!(d.delivered().is_empty(), "nothing to the old number");
}

#[test]
fn archiving_a_client_takes_back_what_waited_for_them_and_unarchiving_plans_it_again() {
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    d.engine
        .set_client_archived(d.client, true, WriteSource::Ui, "desk")
        .unwrap();
    let after = d.engine.outbox(Some(appointment)).unwrap();
    assert!(
        after.iter().all(|m| m.status != MessageStatus::Planned),
        "{after:#?}"
    );
    assert_eq!(after[0].reason, Some(SuppressReason::ClientArchived));
    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    assert!(d.delivered().is_empty());

    d.engine
        .set_client_archived(d.client, false, WriteSource::Ui, "desk")
        .unwrap();
    run(d.engine.tick()).unwrap();
    assert_eq!(d.delivered().len(), 1, "planned again and sent");
}
