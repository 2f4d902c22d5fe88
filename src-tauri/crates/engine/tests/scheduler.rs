//! Reminders end to end in the engine, with a fixed clock: planning, the gate at send time,
//! re-planning on changes, the late policy, caps, and never sending twice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    Purpose, SettingsUpdate, SetupInput, SuppressReason, TemplateKind, WriteSource,
};
use tidings_engine::{
    Clock, Engine, EngineConfig, FixedClock, MessageStatus, OutboxMessage, Outlook, Preset,
};

fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, min, 0).unwrap()
}

struct Desk {
    _dir: tempfile::TempDir,
    engine: Engine,
    clock: Arc<FixedClock>,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(utc(3, 1, 12, 0)));
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    Desk {
        _dir: dir,
        engine,
        clock,
    }
}

impl Desk {
    fn client(&self, phone: &str, consent: bool) -> i64 {
        let c = self
            .engine
            .create_client(
                &ClientInput {
                    name: format!("Client {phone}"),
                    phone: phone.into(),
                    ..ClientInput::default()
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap();
        if consent {
            self.consent(c.id, ConsentAction::Granted);
        }
        c.id
    }

    fn consent(&self, client_id: i64, action: ConsentAction) {
        self.engine
            .record_consent(
                &ConsentInput {
                    client_id,
                    purpose: Purpose::Service,
                    action,
                    channel: ConsentChannel::FrontDeskVerbal,
                    recorded_by: "Sam".into(),
                    occurred_at: None,
                    evidence: None,
                },
                WriteSource::Ui,
            )
            .unwrap();
    }

    fn book(&self, client_id: i64, start: DateTime<Utc>) -> i64 {
        self.engine
            .create_appointment(&input(client_id, start), WriteSource::Ui, "desk")
            .unwrap()
            .id
    }

    /// The appointments of the coming weeks the calendar flags, with why.
    fn warnings(&self) -> Vec<(i64, String)> {
        let now = self.clock.now();
        self.engine
            .appointments_between(now, now + chrono::Duration::days(28), None)
            .unwrap()
            .into_iter()
            .filter_map(|a| a.reminder_warning.map(|w| (a.id, w)))
            .collect()
    }

    fn messages(&self, appointment_id: i64) -> Vec<OutboxMessage> {
        self.engine.outbox(Some(appointment_id)).unwrap()
    }

    fn planned(&self, appointment_id: i64) -> Vec<(String, DateTime<Utc>)> {
        self.messages(appointment_id)
            .into_iter()
            .filter(|m| m.status == MessageStatus::Planned)
            .map(|m| (m.rule_name.unwrap_or_default(), m.send_at.unwrap()))
            .collect()
    }

    fn tick_at(&self, at: DateTime<Utc>) -> tidings_engine::TickReport {
        self.clock.set(at);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(self.engine.tick())
            .unwrap()
    }
}

fn input(client_id: i64, start: DateTime<Utc>) -> AppointmentInput {
    AppointmentInput {
        client_id,
        starts_at: start,
        ends_at: start + chrono::Duration::minutes(45),
        service_id: None,
        staff_id: None,
        location: None,
        notes: None,
    }
}

#[test]
fn standard_plans_two_reminders_sends_each_once_and_replans_a_move() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Standard, WriteSource::Ui, "desk")
        .unwrap();
    let ann = d.client("(415) 555-2671", true);
    // Wednesday 10:00 New York (EST, UTC-5).
    let appt = d.book(ann, utc(3, 3, 15, 0));
    assert_eq!(
        d.planned(appt),
        vec![
            ("24 hours before".to_owned(), utc(3, 2, 15, 0)),
            ("2 hours before".to_owned(), utc(3, 3, 13, 0))
        ]
    );

    let report = d.tick_at(utc(3, 2, 15, 0));
    assert_eq!(report.sent.len(), 1);
    let sent = d
        .messages(appt)
        .into_iter()
        .find(|m| m.status == MessageStatus::Delivered)
        .unwrap();
    assert!(
        sent.body
            // A US desk: month first and a 12-hour clock, in the appointment's zone.
            .starts_with("Quay Clinic: your appointment is on Wednesday March 3 at 10:00 AM."),
        "{}",
        sent.body
    );
    assert_eq!(sent.template_version, Some(1));
    assert_eq!(sent.segments, 1);

    // Editing the appointment (not its time) and ticking again sends nothing new.
    d.engine
        .update_appointment(
            appt,
            &AppointmentInput {
                notes: Some("bring forms".into()),
                ..input(ann, utc(3, 3, 15, 0))
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(d.tick_at(utc(3, 2, 15, 5)).sent.len(), 0);
    assert_eq!(d.planned(appt).len(), 1, "only the 2 h reminder is left");

    // Moving it to Thursday cancels the old 2 h reminder and plans both again.
    d.engine
        .update_appointment(appt, &input(ann, utc(3, 4, 15, 0)), WriteSource::Ui, "desk")
        .unwrap();
    assert_eq!(
        d.planned(appt),
        vec![
            ("24 hours before".to_owned(), utc(3, 3, 15, 0)),
            ("2 hours before".to_owned(), utc(3, 4, 13, 0))
        ]
    );
    let moved = d
        .messages(appt)
        .into_iter()
        .filter(|m| m.reason == Some(SuppressReason::AppointmentMoved))
        .count();
    assert_eq!(moved, 1);

    // Cancelling cancels every live reminder.
    d.engine
        .set_appointment_status(appt, AppointmentStatus::Cancelled, WriteSource::Ui, "desk")
        .unwrap();
    assert!(d.planned(appt).is_empty());
    assert_eq!(d.tick_at(utc(3, 4, 14, 0)).sent.len(), 0);
}

#[test]
fn the_gate_checks_consent_at_send_time() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let bo = d.client("(415) 555-2672", true);
    let cy = d.client("(415) 555-2673", false);
    let a = d.book(bo, utc(3, 3, 15, 0));
    let b = d.book(cy, utc(3, 3, 16, 0));
    d.consent(bo, ConsentAction::Revoked);

    let report = d.tick_at(utc(3, 2, 16, 0));
    assert!(report.sent.is_empty());
    let reasons: Vec<_> = report
        .suppressed
        .iter()
        .map(|s| (s.appointment_id, s.reason))
        .collect();
    assert!(reasons.contains(&(Some(a), Some(SuppressReason::OptedOut))));
    assert!(reasons.contains(&(Some(b), Some(SuppressReason::NoConsent))));
}

#[test]
fn the_desk_is_told_ahead_what_will_not_go_and_consent_brings_it_back() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let cy = d.client("(415) 555-2673", false);
    let ann = d.client("(415) 555-2671", true);
    // Thursday 15:00 UTC; the reminder is due Wednesday 15:00 UTC (10:00 in New York).
    let appt = d.book(cy, utc(3, 4, 15, 0));
    let fine = d.book(ann, utc(3, 4, 16, 0));

    // Days ahead, the desk already sees that it won't go, and why.
    let ahead = d.messages(appt);
    assert_eq!(ahead.len(), 1);
    assert_eq!(ahead[0].status, MessageStatus::Planned);
    assert!(
        matches!(
            ahead[0].outlook,
            Some(Outlook::WontGo {
                reason: SuppressReason::NoConsent,
                ..
            })
        ),
        "{:?}",
        ahead[0].outlook
    );
    assert_eq!(d.messages(fine)[0].outlook, Some(Outlook::Goes));
    // The calendar flags the appointment, with the reason; the other one not.
    assert_eq!(
        d.warnings(),
        vec![(appt, "no consent for appointment texts".to_owned())]
    );

    // At its time the gate agrees with what the desk was told (one pass at 16:00 takes both:
    // 15:00's, an hour late and still useful, and 16:00's).
    let report = d.tick_at(utc(3, 3, 16, 0));
    assert_eq!(report.sent.len(), 1, "only the client with consent");
    let kept = d.messages(appt);
    assert_eq!(kept[0].status, MessageStatus::Suppressed);
    assert_eq!(kept[0].reason, Some(SuppressReason::NoConsent));
    assert_eq!(kept[0].outlook, None, "a stopped text has no outlook");

    // Consent recorded that evening: the reminder is planned again, at once, and goes.
    d.clock.set(utc(3, 3, 18, 0));
    d.consent(cy, ConsentAction::Granted);
    let back = d.messages(appt);
    assert_eq!(back.len(), 1, "the same text, not a second one: {back:?}");
    assert_eq!(d.warnings(), vec![], "the flag stays after consent");
    assert_eq!(back[0].status, MessageStatus::Planned);
    assert_eq!(back[0].send_at, Some(utc(3, 3, 18, 0)));
    assert_eq!(back[0].outlook, Some(Outlook::Goes));
    let report = d.tick_at(utc(3, 3, 18, 0));
    assert_eq!(report.sent.len(), 1);
    assert_eq!(report.sent[0].appointment_id, Some(appt));

    // Once the appointment has passed, consent brings nothing back.
    let bo = d.client("(415) 555-2672", false);
    let past = d.book(bo, utc(3, 5, 15, 0));
    d.tick_at(utc(3, 4, 15, 0));
    assert_eq!(d.messages(past)[0].status, MessageStatus::Suppressed);
    d.clock.set(utc(3, 5, 16, 0));
    d.consent(bo, ConsentAction::Granted);
    assert_eq!(d.messages(past)[0].status, MessageStatus::Suppressed);
}

#[test]
fn a_reminder_kept_back_for_want_of_the_business_phone_goes_once_the_phone_is_given() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    for t in d.engine.templates().unwrap() {
        if t.kind == TemplateKind::Reminder {
            let body = format!("{} Questions? Call {{business_phone}}.", t.body);
            d.engine
                .save_template(t.id, &body, WriteSource::Ui, "desk")
                .unwrap();
        }
    }
    let ann = d.client("(415) 555-2671", true);
    let appt = d.book(ann, utc(3, 4, 15, 0));
    // Setup left the phone empty: at its time the reminder is kept back, not sent with a gap.
    let report = d.tick_at(utc(3, 3, 15, 0));
    assert!(report.sent.is_empty());
    assert_eq!(
        d.messages(appt)[0].reason,
        Some(SuppressReason::NoBusinessPhone)
    );

    // The desk adds its phone: the reminder is planned again and goes with the number in it.
    d.clock.set(utc(3, 3, 16, 0));
    d.engine
        .update_settings(
            &SettingsUpdate {
                business_phone: Some("(415) 555-2600".into()),
                ..SettingsUpdate::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(d.messages(appt)[0].status, MessageStatus::Planned);
    let report = d.tick_at(utc(3, 3, 16, 0));
    assert_eq!(report.sent.len(), 1);
    let sent = d
        .messages(appt)
        .into_iter()
        .find(|m| m.sent_at.is_some())
        .unwrap();
    assert!(sent.body.contains("Call (415) 555-2600."), "{}", sent.body);

    // A later pass sends nothing more.
    let again = d.tick_at(utc(3, 3, 17, 0));
    assert!(again.sent.is_empty());
}

#[test]
fn an_appointment_given_to_another_client_is_planned_for_them_and_nothing_goes_to_the_first() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let cy = d.client("(415) 555-2673", false);
    let ann = d.client("(415) 555-2671", true);
    let appt = d.book(cy, utc(3, 4, 15, 0));
    // Cy had no consent: at its time the reminder is kept back.
    d.tick_at(utc(3, 3, 15, 0));
    assert_eq!(d.messages(appt)[0].reason, Some(SuppressReason::NoConsent));

    // The booking was Ann's all along: the desk gives it to her. She gets a reminder.
    d.engine
        .update_appointment(appt, &input(ann, utc(3, 4, 15, 0)), WriteSource::Ui, "desk")
        .unwrap();
    let planned: Vec<_> = d
        .messages(appt)
        .into_iter()
        .filter(|m| m.status == MessageStatus::Planned)
        .collect();
    assert_eq!(planned.len(), 1, "{:?}", d.messages(appt));
    assert_eq!(planned[0].to, "+14155552671");

    // Cy gives consent later: nothing of Ann's appointment comes back to Cy.
    d.clock.set(utc(3, 3, 16, 0));
    d.consent(cy, ConsentAction::Granted);
    let report = d.tick_at(utc(3, 3, 16, 0));
    assert_eq!(report.sent.len(), 1);
    let went: Vec<_> = d
        .messages(appt)
        .into_iter()
        .filter(|m| m.sent_at.is_some())
        .map(|m| m.to)
        .collect();
    assert_eq!(went, vec!["+14155552671".to_owned()]);
}

#[test]
fn closed_over_a_send_time_sends_late_only_while_still_useful() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let ann = d.client("(415) 555-2671", true);
    let bo = d.client("(415) 555-2672", true);
    // Both due Tuesday 15:00 UTC (10:00 New York); min lead 4 h.
    let useful = d.book(ann, utc(3, 3, 15, 0));
    let missed = d.book(bo, utc(3, 3, 15, 30));

    // The app reopens Tuesday 20:00 UTC (15:00 New York): 19 h before, allowed: both go late.
    let report = d.tick_at(utc(3, 2, 20, 0));
    assert_eq!(report.sent.len(), 2);
    assert!(d
        .messages(useful)
        .iter()
        .any(|m| m.status == MessageStatus::Delivered));

    // Another pair, and the app reopens inside quiet hours 3 h before: missed while closed.
    let cy = d.client("(415) 555-2673", true);
    let late = d.book(cy, utc(3, 10, 15, 0));
    let report = d.tick_at(utc(3, 10, 12, 0));
    assert_eq!(report.suppressed.len(), 1);
    assert_eq!(
        report.suppressed[0].reason,
        Some(SuppressReason::MissedWhileClosed)
    );
    assert!(d
        .messages(late)
        .iter()
        .all(|m| m.status != MessageStatus::Delivered));
    let _ = missed;
}

#[test]
fn caps_hold_per_client() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Clinic, WriteSource::Ui, "desk")
        .unwrap();
    assert_eq!(d.engine.settings().unwrap().caps.max_texts_per_day, 1);
    let ann = d.client("(415) 555-2671", true);
    // Two appointments a day apart: the 48 h reminder of the second falls on the day of the
    // first's 24 h reminder.
    let first = d.book(ann, utc(3, 5, 15, 0));
    let second = d.book(ann, utc(3, 6, 15, 0));
    let mut sent = 0;
    let mut capped = 0;
    for hour in 0..(24 * 6) {
        let report = d.tick_at(utc(3, 1, 12, 0) + chrono::Duration::hours(hour));
        sent += report.sent.len();
        capped += report
            .suppressed
            .iter()
            .filter(|s| s.reason == Some(SuppressReason::Cap))
            .count();
    }
    assert!(capped >= 1, "the cap never applied");
    // Never more than one automated text in any 24 hours.
    let mut times: Vec<DateTime<Utc>> = [first, second]
        .iter()
        .flat_map(|a| d.messages(*a))
        .filter(|m| m.status == MessageStatus::Delivered)
        .filter_map(|m| m.sent_at)
        .collect();
    times.sort();
    assert_eq!(times.len(), sent);
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= chrono::Duration::hours(24),
            "{times:?}"
        );
    }
}

#[test]
fn a_confirmed_appointment_gets_no_more_questions() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Clinic, WriteSource::Ui, "desk")
        .unwrap();
    let ann = d.client("(415) 555-2671", true);
    let appt = d.book(ann, utc(3, 5, 15, 0));
    assert_eq!(d.tick_at(utc(3, 3, 15, 0)).sent.len(), 1);
    d.engine
        .set_appointment_status(appt, AppointmentStatus::Confirmed, WriteSource::Ui, "desk")
        .unwrap();
    // The question still waiting is taken back at once (at the provider too, had it been
    // handed off), and says why; at its time nothing goes.
    let messages = d.messages(appt);
    assert!(
        messages
            .iter()
            .any(|m| m.reason == Some(SuppressReason::AlreadyConfirmed)
                && m.status != MessageStatus::Planned),
        "{messages:#?}"
    );
    let report = d.tick_at(utc(3, 4, 15, 0));
    assert!(report.sent.is_empty(), "{report:#?}");
}

/// Switching presets keeps a rule both have (same timing, template and question) with its id:
/// its planned reminders stay as they are; only what differs is taken back or added.
#[test]
fn switching_presets_keeps_the_reminders_a_rule_both_have() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Standard, WriteSource::Ui, "desk")
        .unwrap();
    let client = d.client("(415) 555-2671", true);
    let appointment = d.book(client, utc(3, 10, 18, 0));
    let planned = |d: &Desk| -> Vec<(i64, Option<i64>)> {
        d.messages(appointment)
            .into_iter()
            .filter(|m| m.status == MessageStatus::Planned)
            .map(|m| (m.id, m.rule_id))
            .collect()
    };
    let standard = planned(&d);
    assert_eq!(standard.len(), 2, "24 hours and 2 hours before");

    d.engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let light = planned(&d);
    assert_eq!(light.len(), 1);
    assert!(
        standard.contains(&light[0]),
        "the 24-hour reminder is the same text"
    );
    let two_hours = standard.iter().find(|m| *m != &light[0]).unwrap().0;
    let taken_back = d
        .messages(appointment)
        .into_iter()
        .find(|m| m.id == two_hours)
        .unwrap();
    assert_eq!(taken_back.status, MessageStatus::Cancelled);
    assert_eq!(taken_back.reason, Some(SuppressReason::RuleDisabled));

    d.engine
        .apply_preset(Preset::Standard, WriteSource::Ui, "desk")
        .unwrap();
    let again = planned(&d);
    assert_eq!(again.len(), 2);
    assert!(again.contains(&light[0]));
}

/// A rule's new timing moves its waiting reminders to the new time in place: the same text,
/// not one taken back (with a reason that would not be true) and another added.
#[test]
fn a_rules_new_timing_moves_its_waiting_reminders_in_place() {
    let d = desk();
    d.engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let client = d.client("(415) 555-2671", true);
    let appointment = d.book(client, utc(3, 10, 18, 0));
    let before = d.messages(appointment);
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].send_at, Some(utc(3, 9, 18, 0)));

    let rule = d.engine.reminder_rules().unwrap().remove(0);
    d.engine
        .save_reminder_rule(
            &tidings_engine::ReminderRuleInput {
                id: Some(rule.id),
                name: "48 hours before".into(),
                offset_minutes: 48 * 60,
                min_lead_minutes: rule.min_lead_minutes,
                template_id: rule.template_id,
                asks_confirmation: rule.asks_confirmation,
                enabled: true,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    let after = d.messages(appointment);
    assert_eq!(after.len(), 1, "{after:#?}");
    assert_eq!(after[0].id, before[0].id);
    assert_eq!(after[0].status, MessageStatus::Planned);
    assert_eq!(after[0].send_at, Some(utc(3, 8, 18, 0)));
}
