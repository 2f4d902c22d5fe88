//! Tests of the send gate: each decision and the reason staff see.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeZone;

use super::*;
use crate::{AppointmentSource, ConsentSummary, QuietHours};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    // Wednesday 10 March 2027; London is on UTC then.
    Utc.with_ymd_and_hms(2027, 3, 10, h, m, 0).unwrap()
}

fn client(service: ConsentState) -> Client {
    Client {
        id: 1,
        name: "Ann Lee".into(),
        phone: "+447400123001".into(),
        timezone: None,
        notes: String::new(),
        archived: false,
        created_at: at(0, 0),
        updated_at: at(0, 0),
        consent: ConsentSummary {
            service,
            ..ConsentSummary::default()
        },
        unreachable: None,
        language: None,
    }
}

fn appointment(starts: DateTime<Utc>, status: AppointmentStatus) -> Appointment {
    Appointment {
        id: 7,
        client_id: 1,
        client_name: "Ann Lee".into(),
        client_phone: "+447400123001".into(),
        starts_at: starts,
        ends_at: starts + Duration::minutes(30),
        timezone: "Europe/London".into(),
        status,
        service: None,
        service_id: None,
        staff: None,
        staff_id: None,
        location: String::new(),
        notes: String::new(),
        source: AppointmentSource::Desk,
        external_id: None,
        feedback: None,
        feed: None,
        status_note: None,
        reminder_warning: None,
        overlaps: false,
        created_at: at(0, 0),
        updated_at: at(0, 0),
    }
}

fn hours() -> AllowedHours {
    AllowedHours {
        quiet: QuietHours::new("21:00", "08:00").unwrap(),
        no_sundays: false,
        zone: chrono_tz::Europe::London,
    }
}

const RULE: RuleFacts = RuleFacts {
    min_lead_minutes: 60,
    asks_confirmation: true,
};

/// A reminder for an appointment at 15:00, due at `due`, judged at `now`.
fn reminder_at(
    now: DateTime<Utc>,
    due: DateTime<Utc>,
    c: &Client,
    a: &Appointment,
    hours: &AllowedHours,
    caps: &Caps,
    usage: CapUsage,
) -> Decision {
    decide(&Snapshot {
        now,
        kind: TextKind::Reminder {
            rule: Some(RULE),
            planned_for: Some(at(15, 0)),
            purpose: Purpose::Service,
        },
        to: "+447400123001",
        send_at: Some(due),
        by_staff: false,
        client: Some(c),
        appointment: Some(a),
        review_pending: false,
        hours,
        caps,
        usage,
    })
}

#[test]
fn the_outlook_tells_ahead_of_time_what_the_gate_will_decide() {
    let h = hours();
    let caps = Caps::default();
    let a = appointment(at(15, 0), AppointmentStatus::Booked);
    let none = CapUsage::default();
    // Judged for its own time (09:00), hours before it is due: it goes.
    let granted = client(ConsentState::Granted);
    let d = reminder_at(at(9, 0), at(9, 0), &granted, &a, &h, &caps, none);
    assert_eq!(outlook(d, at(9, 0)), Outlook::Goes);
    // Due at 07:00, inside quiet hours: it goes at 08:00 instead.
    let d = reminder_at(at(7, 0), at(7, 0), &granted, &a, &h, &caps, none);
    assert_eq!(outlook(d, at(7, 0)), Outlook::Moved { at: at(8, 0) });
    // No consent on record: it won't go, and says why in the desk's words.
    let unknown = client(ConsentState::None);
    let d = reminder_at(at(9, 0), at(9, 0), &unknown, &a, &h, &caps, none);
    assert_eq!(
        outlook(d, at(9, 0)),
        Outlook::WontGo {
            reason: SuppressReason::NoConsent,
            text: SuppressReason::NoConsent.describe().to_owned(),
        }
    );
    // A number the carrier refused, an opt-out: the same, each with its reason.
    let mut unreachable = granted.clone();
    unreachable.unreachable = Some("landline".into());
    let d = reminder_at(at(9, 0), at(9, 0), &unreachable, &a, &h, &caps, none);
    assert!(matches!(
        outlook(d, at(9, 0)),
        Outlook::WontGo {
            reason: SuppressReason::InvalidNumber,
            ..
        }
    ));
    let d = reminder_at(
        at(9, 0),
        at(9, 0),
        &client(ConsentState::Revoked),
        &a,
        &h,
        &caps,
        none,
    );
    assert!(matches!(
        outlook(d, at(9, 0)),
        Outlook::WontGo {
            reason: SuppressReason::OptedOut,
            ..
        }
    ));
    // Later by seconds is the same moment to a person.
    assert_eq!(
        outlook(Decision::Later(at(9, 0) + Duration::seconds(30)), at(9, 0)),
        Outlook::Goes
    );
    assert_eq!(outlook(Decision::Held(at(9, 5)), at(9, 0)), Outlook::Held);
}

#[test]
fn a_reminder_goes_in_allowed_hours_with_consent_and_waits_out_the_night() {
    let c = client(ConsentState::Granted);
    let a = appointment(at(15, 0), AppointmentStatus::Booked);
    let caps = Caps::default();
    let h = hours();
    let go = |now| reminder_at(now, now, &c, &a, &h, &caps, CapUsage::default());
    assert_eq!(go(at(9, 0)), Decision::Send);
    // 07:00 is quiet: it waits until 08:00, still well before the latest useful time.
    assert_eq!(go(at(7, 0)), Decision::Later(at(8, 0)));
}

#[test]
fn a_reminder_is_stopped_with_the_reason_that_applies() {
    let granted = client(ConsentState::Granted);
    let h = hours();
    let caps = Caps::default();
    let booked = appointment(at(15, 0), AppointmentStatus::Booked);
    let none = CapUsage::default();
    let cases: Vec<(Client, Appointment, CapUsage, SuppressReason)> = vec![
        (
            client(ConsentState::Revoked),
            booked.clone(),
            none,
            SuppressReason::OptedOut,
        ),
        (
            client(ConsentState::None),
            booked.clone(),
            none,
            SuppressReason::NoConsent,
        ),
        (
            granted.clone(),
            appointment(at(15, 0), AppointmentStatus::Cancelled),
            none,
            SuppressReason::AppointmentCancelled,
        ),
        (
            granted.clone(),
            appointment(at(16, 0), AppointmentStatus::Booked),
            none,
            SuppressReason::AppointmentMoved,
        ),
        (
            granted.clone(),
            appointment(at(15, 0), AppointmentStatus::Confirmed),
            none,
            SuppressReason::AlreadyConfirmed,
        ),
        (
            granted.clone(),
            booked.clone(),
            CapUsage {
                last_day: caps.max_texts_per_day,
                last_week: 0,
            },
            SuppressReason::Cap,
        ),
        (
            Client {
                phone: "+447400999999".into(),
                ..granted.clone()
            },
            booked.clone(),
            none,
            SuppressReason::NumberChanged,
        ),
        (
            Client {
                archived: true,
                ..granted.clone()
            },
            booked.clone(),
            none,
            SuppressReason::ClientArchived,
        ),
        (
            Client {
                unreachable: Some("landline".into()),
                ..granted.clone()
            },
            booked.clone(),
            none,
            SuppressReason::InvalidNumber,
        ),
    ];
    for (c, a, usage, reason) in cases {
        assert_eq!(
            reminder_at(at(10, 0), at(10, 0), &c, &a, &h, &caps, usage),
            Decision::Suppress(reason),
            "{reason:?}"
        );
        assert!(
            reason.cancels()
                == matches!(
                    reason,
                    SuppressReason::AppointmentCancelled
                        | SuppressReason::AppointmentMoved
                        | SuppressReason::NumberChanged
                        | SuppressReason::ClientArchived
                )
        );
    }
}

#[test]
fn a_reminder_found_long_overdue_was_missed_unless_it_is_still_useful() {
    let c = client(ConsentState::Granted);
    let a = appointment(at(15, 0), AppointmentStatus::Booked);
    let caps = Caps::default();
    let h = hours();
    // Due 09:00, the app opened at 14:30: past the latest useful time (14:00).
    assert_eq!(
        reminder_at(at(14, 30), at(9, 0), &c, &a, &h, &caps, CapUsage::default()),
        Decision::Suppress(SuppressReason::MissedWhileClosed)
    );
    // Opened at 11:00: late, but still useful and in allowed hours.
    assert_eq!(
        reminder_at(at(11, 0), at(9, 0), &c, &a, &h, &caps, CapUsage::default()),
        Decision::Send
    );
    // A reminder whose 08:00 wait would land after the latest useful time never goes.
    let early = appointment(at(15, 0), AppointmentStatus::Booked);
    let night = AllowedHours {
        quiet: QuietHours::new("06:00", "14:30").unwrap(),
        ..hours()
    };
    assert_eq!(
        reminder_at(
            at(10, 0),
            at(10, 0),
            &c,
            &early,
            &night,
            &caps,
            CapUsage::default()
        ),
        Decision::Suppress(SuppressReason::QuietHoursMissed)
    );
}

fn snapshot<'a>(
    kind: TextKind<'a>,
    client: Option<&'a Client>,
    appointment: &'a Appointment,
    hours: &'a AllowedHours,
    caps: &'a Caps,
    review_pending: bool,
    now: DateTime<Utc>,
) -> Snapshot<'a> {
    Snapshot {
        now,
        kind,
        to: "+447400123001",
        send_at: Some(now),
        by_staff: false,
        client,
        appointment: Some(appointment),
        review_pending,
        hours,
        caps,
        usage: CapUsage::default(),
    }
}

#[test]
fn every_kind_of_text_passes_the_same_gate() {
    let opted_out = client(ConsentState::Revoked);
    let h = hours();
    let caps = Caps::default();
    let booked = appointment(at(15, 0), AppointmentStatus::Booked);
    let snap = |kind, c, review_pending, now| -> Snapshot<'_> {
        snapshot(kind, c, &booked, &h, &caps, review_pending, now)
    };
    // The STOP confirmation goes to the customer who just opted out; nothing else does.
    assert_eq!(
        decide(&snap(
            TextKind::Direct("opt_out_confirmation"),
            Some(&opted_out),
            false,
            at(22, 0)
        )),
        Decision::Send
    );
    for key in ["help_reply", "holding_reply", "staff_reply"] {
        assert_eq!(
            decide(&snap(
                TextKind::Direct(key),
                Some(&opted_out),
                false,
                at(10, 0)
            )),
            Decision::Suppress(SuppressReason::OptedOut),
            "{key}"
        );
    }
    // A test text has no client and goes at any hour.
    assert_eq!(
        decide(&snap(TextKind::Direct("test_text"), None, false, at(23, 0))),
        Decision::Send
    );
    // A possible opt-out holds automated texts, not answers a person sends.
    let granted = client(ConsentState::Granted);
    assert_eq!(
        decide(&snap(
            TextKind::Notice { urgent: false },
            Some(&granted),
            true,
            at(10, 0)
        )),
        Decision::Held(at(10, HOLD_RECHECK_MINUTES as u32))
    );
    assert_eq!(
        decide(&snap(
            TextKind::Direct("staff_reply"),
            Some(&granted),
            true,
            at(10, 0)
        )),
        Decision::Send
    );
    // Notices keep quiet hours unless urgent.
    assert_eq!(
        decide(&snap(
            TextKind::Notice { urgent: false },
            Some(&granted),
            false,
            at(7, 0)
        )),
        Decision::Later(at(8, 0))
    );
    assert_eq!(
        decide(&snap(
            TextKind::Notice { urgent: true },
            Some(&granted),
            false,
            at(7, 0)
        )),
        Decision::Send
    );
    // A follow-up only for a visit marked completed.
    assert_eq!(
        decide(&snap(TextKind::FollowUp, Some(&granted), false, at(10, 0))),
        Decision::Suppress(SuppressReason::AppointmentCancelled)
    );
}
