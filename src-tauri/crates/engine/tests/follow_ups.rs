//! Asking how a visit went: when the follow-up goes, what the answer records, and what staff
//! are shown.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod updates_desk;

use tidings_engine::domain::{AppointmentStatus, ConsentAction, WriteSource};
use tidings_engine::{InboxFilter, MessageStatus};

use updates_desk::{desk, run, utc, Desk};

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
