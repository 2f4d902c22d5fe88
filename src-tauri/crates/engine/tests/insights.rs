//! Insights on a small week whose every figure is worked out by hand below, and on an empty
//! period (no division by zero).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    Purpose, SettingsUpdate, SetupInput, WriteSource,
};
use tidings_engine::{
    Engine, EngineConfig, FixedClock, InboxFilter, InsightsReport, Preset, ReminderRuleInput,
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

/// A desk in UTC with its clock on 1 March 09:00, and the folder holding its database.
fn a_desk() -> (Engine, Arc<FixedClock>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(utc(1, 9, 0)));
    let e = Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    e.complete_setup(
        &SetupInput {
            business_name: "Quay".into(),
            timezone: "UTC".into(),
            phone_region: "GB".into(),
            business_phone: Some("020 7123 4567".into()),
        },
        WriteSource::Ui,
        "desk",
    )
    .unwrap();
    (e, clock, dir)
}

/// The `n`th client (phone 07400 12300n), with or without consent to service texts, booked
/// for half an hour at `start`; returns the appointment.
fn booked(e: &Engine, n: usize, name: &str, consents: bool, start: DateTime<Utc>) -> i64 {
    let c = e
        .create_client(
            &ClientInput {
                name: name.into(),
                phone: format!("07400 12300{n}"),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    if consents {
        e.record_consent(
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
    }
    e.create_appointment(
        &AppointmentInput {
            client_id: c.id,
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

/// The week below, as it stands on 3 March at 15:00: the engine, its clock, the appointments
/// (Ann, Bo, Cy, Di, Ed) and the folder holding the database.
fn a_week() -> (Engine, Arc<FixedClock>, Vec<i64>, tempfile::TempDir) {
    let (e, clock, dir) = a_desk();
    e.apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    // A, B, C, D consent and are booked 3 March 10:00–13:00; E has no consent (14:00).
    let appts: Vec<i64> = ["Ann", "Bo", "Cy", "Di", "Ed"]
        .iter()
        .enumerate()
        .map(|(i, name)| booked(&e, i + 1, name, i < 4, utc(3, 10 + i as u32, 0)))
        .collect();
    let says = |at: DateTime<Utc>, phone: &str, text: &str| {
        clock.set(at);
        e.sandbox().unwrap().customer_sends(phone, text).unwrap();
        run(e.poll_inbound()).unwrap();
    };
    // Reminders go 24 hours ahead: four sent, Ed's suppressed (no consent).
    for h in 10..15 {
        clock.set(utc(2, h, 0));
        run(e.tick()).unwrap();
    }
    says(utc(2, 10, 5), "+447400123001", "YES"); // confirmation reply
    says(utc(2, 12, 0), "+447400123002", "NO"); // reschedule reply
    says(utc(2, 12, 30), "+447400123003", "Is there parking?"); // holding reply
    clock.set(utc(2, 12, 50));
    let thread = e.inbox(InboxFilter::NeedsReply).unwrap().threads[0].id;
    run(e.reply_in_thread(thread, "Yes, behind the shop.", WriteSource::Ui, "Sam")).unwrap();
    says(utc(2, 13, 0), "+447400123003", "STOP"); // opt-out confirmation
    clock.set(utc(3, 15, 0));
    for (id, status) in [
        (appts[0], AppointmentStatus::Completed),
        (appts[3], AppointmentStatus::NoShow),
        (appts[4], AppointmentStatus::Completed),
    ] {
        e.set_appointment_status(id, status, WriteSource::Ui, "desk")
            .unwrap();
    }
    (e, clock, appts, dir)
}

#[test]
fn a_hand_worked_week() {
    let (e, _clock, _appts, _dir) = a_week();
    let r = e.insights("2027-03-01", "2027-03-07").unwrap();
    // 4 reminders + confirmation, reschedule, holding, staff answer, opt-out confirmation.
    assert_eq!(r.sent, 9);
    assert_eq!((r.delivered.count, r.delivered.out_of), (9, 9));
    assert_eq!(r.delivery_failures.value, Some(0.0));
    assert_eq!(r.reminders_sent, 4);
    // Ann, Bo and Cy answered within 48 hours; Di did not.
    assert_eq!((r.response.count, r.response.out_of), (3, 4));
    // All four asked YES/NO; only Ann's ended confirmed (then completed).
    assert_eq!((r.confirmation.count, r.confirmation.out_of), (1, 4));
    assert_eq!(
        (r.reschedule_requests.count, r.reschedule_requests.out_of),
        (1, 4)
    );
    // Happened: Ann (reminded, came), Di (reminded, missed), Ed (not reminded, came).
    assert_eq!(
        (r.no_show_reminded.count, r.no_show_reminded.out_of),
        (1, 2)
    );
    assert_eq!(
        (r.no_show_not_reminded.count, r.no_show_not_reminded.out_of),
        (0, 1)
    );
    // Cy opted out by text: 1 per 9 texts = 11.1 per 100.
    assert_eq!((r.opt_outs.count, r.opt_outs.out_of), (1, 9));
    assert!((r.opt_outs_per_100.unwrap() - 100.0 / 9.0).abs() < 1e-9);
    // Cy's question at 12:30, answered at 12:50.
    assert_eq!(r.first_response.answered, 1);
    assert_eq!(r.first_response.median_seconds, Some(1200));
    assert_eq!(r.first_response.p90_seconds, Some(1200));
    // Conversations: Ann's YES, Bo's NO, Cy's question, and Cy's STOP (her first text since
    // Sam answered). Only the question needed a staff text.
    assert_eq!((r.deflection.count, r.deflection.out_of), (3, 4));
    assert_eq!(
        (
            r.funnel.reminded,
            r.funnel.replied,
            r.funnel.confirmed,
            r.funnel.attended
        ),
        (4, 3, 1, 1)
    );
    assert_eq!(r.versions.len(), 1);
    assert_eq!((r.versions[0].sent, r.versions[0].response.count), (4, 3));
    assert_eq!(
        (
            r.versions[0].confirmation.count,
            r.versions[0].confirmation.out_of
        ),
        (1, 4)
    );
    // The Light preset's one rule sent all four.
    assert_eq!(r.rules.len(), 1);
    let rule = &r.rules[0];
    assert_eq!(rule.sent, 4);
    assert_eq!((rule.response.count, rule.response.out_of), (3, 4));
    assert_eq!((rule.confirmation.count, rule.confirmation.out_of), (1, 4));
    assert_eq!(
        (
            rule.reschedule_requests.count,
            rule.reschedule_requests.out_of
        ),
        (1, 4)
    );
    assert_eq!(r.weekly.len(), 1);
    assert_eq!(r.weekly[0].week_of, "2027-03-01");
    assert_eq!(r.weekly[0].sent, 9);
    assert!(r.definitions.iter().any(|d| d.metric == "Deflection"));

    // An empty period: counts are zero and rates are empty, never NaN.
    let empty = e.insights("2027-04-01", "2027-04-07").unwrap();
    assert_eq!(empty.sent, 0);
    assert_eq!(empty.delivered.value, None);
    assert_eq!(empty.response.value, None);
    assert_eq!(empty.opt_outs_per_100, None);
    assert_eq!(empty.first_response.median_seconds, None);
    // 1–7 April runs Thursday to Wednesday: the weeks of 29 March and 5 April.
    assert_eq!(empty.weekly.len(), 2);
    assert!(empty
        .weekly
        .iter()
        .all(|w| w.sent == 0 && w.confirmation.value.is_none()));

    let bad = e
        .insights("2027-03-07", "2027-03-01")
        .unwrap_err()
        .payload();
    assert_eq!(bad.field.as_deref(), Some("to"));
}

/// Closed days are kept as totals; whatever changes afterwards, the report read from them is
/// the report counted from the texts themselves.
#[test]
fn kept_days_follow_every_change() {
    let (e, clock, appts, _dir) = a_week();
    let week = || e.insights("2027-03-01", "2027-03-07").unwrap();
    let counted_afresh = || {
        e.forget_insights().unwrap();
        week()
    };
    let on_3_march = week();

    // A week later every day of it is closed and kept; nothing changed, so neither did the
    // figures (the signals look at the days before 10 March, so they are compared apart).
    clock.set(utc(10, 9, 0));
    let kept = week();
    assert!(
        e.warm_insights(30).unwrap() > 0,
        "the month before is counted"
    );
    assert_eq!(e.warm_insights(30).unwrap(), 0, "and kept");
    assert_eq!(
        InsightsReport {
            signals: vec![],
            ..kept.clone()
        },
        InsightsReport {
            signals: vec![],
            ..on_3_march
        }
    );
    assert_eq!(kept, counted_afresh());

    // Bo came after all; Ed didn't: a reminded visit attended, an unreminded one missed.
    for (id, status) in [
        (appts[1], AppointmentStatus::Completed),
        (appts[4], AppointmentStatus::NoShow),
    ] {
        e.set_appointment_status(id, status, WriteSource::Ui, "desk")
            .unwrap();
    }
    let r = week();
    assert_eq!(r.funnel.attended, 2);
    assert_eq!(
        (r.no_show_reminded.count, r.no_show_reminded.out_of),
        (1, 3)
    );
    assert_eq!(
        (r.no_show_not_reminded.count, r.no_show_not_reminded.out_of),
        (1, 1)
    );
    assert_eq!(r, counted_afresh());

    // Sam answers Ann a week late: her YES of 2 March now had a staff answer.
    let ann = e
        .inbox(InboxFilter::All)
        .unwrap()
        .threads
        .into_iter()
        .find(|t| t.phone == "+447400123001")
        .unwrap()
        .id;
    run(e.reply_in_thread(ann, "See you soon!", WriteSource::Ui, "Sam")).unwrap();
    let r = week();
    assert_eq!((r.deflection.count, r.deflection.out_of), (2, 4));
    assert_eq!(r.first_response.answered, 2);
    assert_eq!(r, counted_afresh());

    // The rule stops asking YES/NO: no reminder of that week asked any more.
    let rule = e.reminder_rules().unwrap().remove(0);
    e.save_reminder_rule(
        &ReminderRuleInput {
            id: Some(rule.id),
            name: rule.name,
            offset_minutes: rule.offset_minutes,
            min_lead_minutes: rule.min_lead_minutes,
            template_id: rule.template_id,
            asks_confirmation: false,
            enabled: rule.enabled,
        },
        WriteSource::Ui,
        "desk",
    )
    .unwrap();
    let r = week();
    assert_eq!(r.confirmation.out_of, 0);
    assert_eq!(r.rules[0].confirmation.out_of, 0);
    assert_eq!(r.versions[0].confirmation.out_of, 0);
    assert_eq!(r, counted_afresh());

    // Another time zone moves where days begin: Auckland's 3 March (UTC+13) starts at 11:00
    // UTC on 2 March, between Ann's reminder and Bo's.
    e.update_settings(
        &SettingsUpdate {
            timezone: Some("Pacific/Auckland".into()),
            ..SettingsUpdate::default()
        },
        WriteSource::Ui,
        "desk",
    )
    .unwrap();
    let day = |d: &str| e.insights(d, d).unwrap();
    let (the_2nd, the_3rd) = (day("2027-03-02"), day("2027-03-03"));
    // Ann's reminder and her confirmation; then the other three reminders, Bo's and Cy's
    // replies, Sam's answer and Cy's opt-out confirmation.
    assert_eq!((the_2nd.sent, the_3rd.sent), (2, 7));
    e.forget_insights().unwrap();
    assert_eq!((day("2027-03-02"), day("2027-03-03")), (the_2nd, the_3rd));
}

/// Three visits on 3 March asked how they went: Ann answers 5, Bo 2, Cy 4 the next morning,
/// when 3 March is already a kept day.
#[test]
fn follow_up_answers_worked_out_by_hand() {
    let (e, clock, _dir) = a_desk();
    e.update_settings(
        &SettingsUpdate {
            follow_up_hours: Some(2),
            ..SettingsUpdate::default()
        },
        WriteSource::Ui,
        "desk",
    )
    .unwrap();
    let visits: Vec<i64> = ["Ann", "Bo", "Cy"]
        .iter()
        .enumerate()
        .map(|(i, name)| booked(&e, i + 1, name, true, utc(3, 9 + i as u32, 0)))
        .collect();
    clock.set(utc(3, 12, 0));
    for id in &visits {
        e.set_appointment_status(*id, AppointmentStatus::Completed, WriteSource::Ui, "desk")
            .unwrap();
    }
    clock.set(utc(3, 14, 0));
    run(e.tick()).unwrap();
    let says = |at: DateTime<Utc>, phone: &str, text: &str| {
        clock.set(at);
        e.sandbox().unwrap().customer_sends(phone, text).unwrap();
        run(e.poll_inbound()).unwrap();
    };
    says(utc(3, 14, 10), "+447400123001", "5");
    says(utc(3, 14, 20), "+447400123002", "2");

    let week = || e.insights("2027-03-01", "2027-03-07").unwrap().follow_ups;
    let f = week();
    assert_eq!(f.sent, 3);
    assert_eq!((f.answered.count, f.answered.out_of), (2, 3));
    assert_eq!((f.poor.count, f.poor.out_of), (1, 2));
    // (5 + 2) / 2
    assert_eq!((f.average_rating, f.ratings), (Some(3.5), 2));

    // The next morning 3 March is closed and kept; Cy's answer still reaches it.
    clock.set(utc(4, 8, 0));
    assert_eq!(week(), f);
    says(utc(4, 9, 0), "+447400123003", "4");
    let f = week();
    assert_eq!((f.answered.count, f.answered.out_of), (3, 3));
    assert_eq!((f.poor.count, f.poor.out_of), (1, 3));
    // (5 + 2 + 4) / 3
    assert!((f.average_rating.unwrap() - 11.0 / 3.0).abs() < 1e-9);
    e.forget_insights().unwrap();
    assert_eq!(week(), f);
    let csv = e
        .insights("2027-03-01", "2027-03-07")
        .unwrap()
        .to_csv()
        .unwrap();
    assert!(
        csv.contains("period,Follow-ups answered,3,3,1.0000,"),
        "{csv}"
    );
}
