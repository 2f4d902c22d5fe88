//! The scheduler's promises under random schedules, checked after every pass of a simulated
//! week around the daylight-saving changes (US 2027-03-14, EU 2027-03-28), with clients in
//! zones far from the business's: a text goes only with consent at that moment, inside the
//! client's allowed hours, before the appointment, within the caps, and never two live
//! reminders for one (appointment, rule).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use proptest::prelude::*;
use tidings_engine::domain::{
    AppointmentInput, ClientInput, ConsentAction, ConsentChannel, ConsentInput, Purpose,
    SetupInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, Preset};

const PHONES: [&str; 3] = ["(415) 555-2671", "(415) 555-2672", "(415) 555-2673"];
const ZONES: [Option<&str>; 4] = [
    None,
    Some("Australia/Sydney"),
    Some("Pacific/Honolulu"),
    Some("Europe/Berlin"),
];

#[derive(Debug, Clone)]
struct Scenario {
    business_zone: &'static str,
    week_start: DateTime<Utc>,
    preset: Preset,
    client_zones: Vec<Option<&'static str>>,
    /// (client, hours after the week starts)
    appointments: Vec<(usize, i64)>,
    /// (client, hours after the week starts, grant?)
    consent: Vec<(usize, i64, bool)>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::sample::select(vec![
            (
                "America/New_York",
                Utc.with_ymd_and_hms(2027, 3, 11, 0, 0, 0).unwrap(),
            ),
            (
                "Europe/London",
                Utc.with_ymd_and_hms(2027, 3, 25, 0, 0, 0).unwrap(),
            ),
            (
                "America/Los_Angeles",
                Utc.with_ymd_and_hms(2027, 11, 4, 0, 0, 0).unwrap(),
            ),
        ]),
        prop::sample::select(vec![Preset::Standard, Preset::Clinic, Preset::Light]),
        prop::collection::vec(prop::sample::select(ZONES.to_vec()), 3),
        prop::collection::vec((0usize..3, 30i64..(24 * 7)), 1..6),
        prop::collection::vec((0usize..3, 0i64..(24 * 7), any::<bool>()), 0..5),
    )
        .prop_map(
            |((zone, week), preset, client_zones, appointments, consent)| Scenario {
                business_zone: zone,
                week_start: week,
                preset,
                client_zones,
                appointments,
                consent,
            },
        )
}

fn consent(engine: &Engine, client_id: i64, grant: bool) {
    engine
        .record_consent(
            &ConsentInput {
                client_id,
                purpose: Purpose::Service,
                action: if grant {
                    ConsentAction::Granted
                } else {
                    ConsentAction::Revoked
                },
                channel: ConsentChannel::PaperForm,
                recorded_by: "Sam".into(),
                occurred_at: None,
                evidence: None,
            },
            WriteSource::Ui,
        )
        .unwrap();
}

/// Runs a scenario, checking every pass; returns how many texts went.
fn run(s: &Scenario) -> Result<usize, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let clock = Arc::new(FixedClock::new(s.week_start - Duration::days(3)));
    let engine = Engine::open(EngineConfig {
        db_path: db.clone(),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: s.business_zone.into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .apply_preset(s.preset, WriteSource::Ui, "desk")
        .unwrap();
    let settings = engine.settings().unwrap();
    let clients: Vec<i64> = PHONES
        .iter()
        .zip(&s.client_zones)
        .map(|(phone, zone)| {
            let c = engine
                .create_client(
                    &ClientInput {
                        name: (*phone).into(),
                        phone: (*phone).into(),
                        timezone: zone.map(str::to_owned),
                        notes: None,
                        language: None,
                    },
                    WriteSource::Ui,
                    "desk",
                )
                .unwrap();
            consent(&engine, c.id, true);
            c.id
        })
        .collect();
    let mut starts = Vec::new();
    for (client, hours) in &s.appointments {
        let start = s.week_start + Duration::hours(*hours);
        let appt = engine
            .create_appointment(
                &AppointmentInput {
                    client_id: clients[*client],
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
            .unwrap();
        starts.push((appt.id, start));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut granted = vec![true; clients.len()];
    let mut sent = 0;
    let mut t = s.week_start - Duration::days(3);
    let end = s.week_start + Duration::days(8);
    while t < end {
        clock.set(t);
        for (client, hours, grant) in &s.consent {
            if s.week_start + Duration::hours(*hours) == t {
                consent(&engine, clients[*client], *grant);
                granted[*client] = *grant;
            }
        }
        let report = runtime.block_on(engine.tick()).unwrap();
        sent += report.sent.len();
        for item in &report.sent {
            let (client_id, appointment_id): (i64, i64) = conn
                .query_row(
                    "SELECT client_id, appointment_id FROM messages WHERE id = ?1",
                    [item.message_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            let c = clients.iter().position(|id| *id == client_id).unwrap();
            prop_assert!(granted[c], "sent without consent at {t}");
            let zone: chrono_tz::Tz = s.client_zones[c]
                .unwrap_or(s.business_zone)
                .parse()
                .unwrap();
            let local = t.with_timezone(&zone);
            let hour = local.hour() * 60 + local.minute();
            prop_assert!((8 * 60..21 * 60).contains(&hour), "sent at {local} local");
            let start = starts
                .iter()
                .find(|(id, _)| *id == appointment_id)
                .unwrap()
                .1;
            prop_assert!(t < start, "sent after the start");
            let day: i64 = conn
                .query_row(
                    "SELECT count(*) FROM messages WHERE client_id = ?1 AND status IN ('sent', 'delivered') AND sent_at > ?2",
                    rusqlite::params![client_id, (t - Duration::hours(24)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)],
                    |r| r.get(0),
                )
                .unwrap();
            prop_assert!(
                day <= i64::from(settings.caps.max_texts_per_day),
                "{day} texts in 24 h"
            );
        }
        let doubles: i64 = conn
            .query_row(
                "SELECT count(*) FROM (SELECT 1 FROM messages WHERE status IN ('planned', 'sending')
                 GROUP BY appointment_id, rule_id HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        prop_assert_eq!(doubles, 0);
        t += Duration::minutes(30);
    }
    // Nothing was sent twice for one (appointment, rule, start).
    let twice: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT 1 FROM messages WHERE status IN ('sent', 'delivered')
             GROUP BY appointment_id, rule_id, planned_for HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    prop_assert_eq!(twice, 0);
    Ok(sent)
}

/// The checks are not vacuous: an ordinary week sends every reminder.
#[test]
fn an_ordinary_week_sends_its_reminders() {
    let s = Scenario {
        business_zone: "America/New_York",
        week_start: Utc.with_ymd_and_hms(2027, 3, 11, 0, 0, 0).unwrap(),
        preset: Preset::Standard,
        client_zones: vec![None, Some("Australia/Sydney"), None],
        // Thursday 15:00 UTC (11:00 EDT after the change) and Monday 18:00 UTC.
        appointments: vec![(0, 24 * 3 + 15), (1, 24 * 4 + 18), (2, 24 * 6 + 15)],
        consent: vec![(2, 24 * 5, false)],
    };
    let sent = run(&s).unwrap();
    // Client 0: both reminders; client 1 (Sydney): at least one fits its waking hours;
    // client 2 opted out before its reminders were due: none.
    assert!(sent >= 3, "only {sent} sent");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_scheduler_keeps_its_promises(s in scenario()) {
        run(&s)?;
    }
}
