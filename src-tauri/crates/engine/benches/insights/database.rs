//! The insights bench's database: the business set up through the engine, then the generated
//! year written in bulk, and a day of changes at the desk written the way the app writes.

use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use tidings_engine::domain::{SetupInput, WriteSource};
use tidings_engine::{Engine, EngineConfig, FixedClock, Preset};

use crate::words::{
    pick, FEEDBACK, FIRST, LAST, LATE, NO, QUESTIONS, RESCHEDULE, SERVICES, STAFF, STAFF_ANSWERS,
    THANKS, YES,
};
use crate::year::{
    local, now, phone, stamp, year, Appointment, Kind, BUSINESS, BUSINESS_NUMBER, CLIENTS,
    STAFF_SENDER, ZONE,
};

/// The ids the generated texts refer to, read from the set-up database.
pub struct Ids {
    /// "24 hours before", "2 hours before".
    rules: [i64; 2],
    /// reminder_confirm v1 (used until June) and v2 (from July).
    confirm_versions: [i64; 2],
    soon_version: i64,
    follow_up_version: i64,
}

pub fn open_engine(path: &Path) -> Engine {
    Engine::open(EngineConfig {
        db_path: path.to_owned(),
        clock: Arc::new(FixedClock::new(now())),
        ..EngineConfig::new(Default::default())
    })
    .unwrap()
}

/// Sets up the business, applies the Standard preset, and saves a second wording of the
/// YES/NO reminder (used from July), so the template comparison has two versions.
pub fn set_up(engine: &Engine) -> Ids {
    engine
        .complete_setup(
            &SetupInput {
                business_name: BUSINESS.into(),
                timezone: ZONE.name().into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "bench",
        )
        .unwrap();
    let rules = engine
        .apply_preset(Preset::Standard, WriteSource::Ui, "bench")
        .unwrap();
    let rule = |hours: u32| {
        rules
            .iter()
            .find(|r| r.offset_minutes == hours * 60)
            .unwrap()
            .id
    };
    let templates = engine.templates().unwrap();
    let template = |key: &str| templates.iter().find(|t| t.key == key).unwrap().clone();
    let confirm = template("reminder_confirm");
    let v2 = engine
        .save_template(
            confirm.id,
            "Hi {first_name}, {business} here: your {service} is {weekday} {date} at {time}. Reply YES to confirm or NO to change it. Reply STOP to opt out.",
            WriteSource::Ui,
            "bench",
        )
        .unwrap();
    Ids {
        rules: [rule(24), rule(2)],
        confirm_versions: [confirm.version_id, v2.version_id],
        soon_version: template("reminder_soon").version_id,
        follow_up_version: template("follow_up_ask").version_id,
    }
}

/// (status, error code), most texts delivered; 30007 (carrier filtering) on a few.
fn outcome(rng: &mut fastrand::Rng) -> (&'static str, Option<&'static str>) {
    match rng.u32(0..1000) {
        0..=967 => ("delivered", None),
        968..=970 => ("undelivered", Some("30007")),
        971..=978 => ("undelivered", Some("30003")),
        979..=982 => ("undelivered", Some("30005")),
        983..=985 => ("undelivered", Some("30006")),
        986..=994 => ("failed", Some("30008")),
        _ => ("sent", None), // no final receipt ever came
    }
}

/// The columns that differ between kinds of outbound text.
struct Outbound {
    rule: Option<i64>,
    version: Option<i64>,
    automated: bool,
    body: String,
    reason: Option<&'static str>,
    planned_for: Option<String>,
    sent_by: Option<&'static str>,
    follow_up: bool,
}

impl Outbound {
    /// A planned text (a reminder or a follow-up) the scheduler sent.
    fn automated(body: String) -> Self {
        Self {
            rule: None,
            version: None,
            automated: true,
            body,
            reason: None,
            planned_for: None,
            sent_by: None,
            follow_up: false,
        }
    }

    /// An answer to a customer's text: a keyword reply, or staff's (`sent_by` set).
    fn reply(body: String, reason: &'static str) -> Self {
        Self {
            automated: false,
            reason: Some(reason),
            ..Self::automated(body)
        }
    }
}

/// What was inserted, for the printout.
#[derive(Default)]
pub struct Counts {
    pub inbound: usize,
    pub reminders: usize,
    pub staff: usize,
    pub opt_outs: usize,
}

/// Fills the (migrated, set up) database at `path` in one transaction with the full-text
/// triggers on.
pub fn fill(path: &Path, ids: &Ids) -> Counts {
    let mut rng = fastrand::Rng::with_seed(0x1_5167);
    let year = year(&mut rng);
    let july = local(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(), 0);
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA cache_size = -262144; BEGIN")
        .unwrap();
    let disclosure = format!(
        "{BUSINESS} will text you about your appointments: reminders, changes and replies to your messages. Message frequency varies. Msg & data rates may apply. Reply STOP to opt out, HELP for help."
    );
    let mut counts = Counts::default();
    {
        let mut service = conn
            .prepare("INSERT INTO services (id, name, minutes) VALUES (?1, ?2, ?3)")
            .unwrap();
        for (i, (name, minutes)) in SERVICES.iter().enumerate() {
            service
                .execute(rusqlite::params![i as i64 + 1, name, minutes])
                .unwrap();
        }
        let mut staff = conn
            .prepare("INSERT INTO staff (id, name) VALUES (?1, ?2)")
            .unwrap();
        for (i, name) in STAFF.iter().enumerate() {
            staff
                .execute(rusqlite::params![i as i64 + 1, name])
                .unwrap();
        }

        let mut client = conn
            .prepare(
                "INSERT INTO clients (id, name, phone, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )
            .unwrap();
        let mut consent = conn
            .prepare(
                "INSERT INTO consent_events (client_id, purpose, action, channel, disclosure_text,
                    disclosure_version, recorded_by, occurred_at, recorded_at, evidence, message_id)
                 VALUES (?1, 'service', ?2, ?3, ?4, 1, ?5, ?6, ?6, ?7, ?8)",
            )
            .unwrap();
        let since = Utc
            .with_ymd_and_hms(2024, 3, 1, 14, 0, 0)
            .unwrap()
            .timestamp();
        for c in 0..CLIENTS {
            let name = format!("{} {}", FIRST[c % FIRST.len()], LAST[(c / 7) % LAST.len()]);
            let created = stamp(since + (c as i64) * 3_000 + rng.i64(0..3_000));
            client
                .execute(rusqlite::params![c as i64 + 1, name, phone(c), created])
                .unwrap();
            consent
                .execute(rusqlite::params![
                    c as i64 + 1,
                    "granted",
                    if c % 3 == 0 {
                        "paper_form"
                    } else {
                        "front_desk_verbal"
                    },
                    disclosure,
                    pick(&mut rng, &STAFF),
                    created,
                    None::<String>,
                    None::<i64>,
                ])
                .unwrap();
        }

        let mut appointment = conn
            .prepare(
                "INSERT INTO appointments (id, client_id, starts_at, ends_at, timezone, service_id,
                    staff_id, status, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'desk', ?9, ?10)",
            )
            .unwrap();
        for (i, a) in year.appointments.iter().enumerate() {
            let ends = a.starts + SERVICES[a.service as usize].1 * 60;
            appointment
                .execute(rusqlite::params![
                    i as i64 + 1,
                    a.client as i64 + 1,
                    stamp(a.starts),
                    stamp(ends),
                    ZONE.name(),
                    a.service as i64 + 1,
                    a.staff as i64 + 1,
                    a.status.as_str(),
                    stamp(a.created),
                    stamp(ends + 600),
                ])
                .unwrap();
        }

        let mut inbound = conn
            .prepare(
                "INSERT INTO messages (direction, client_id, purpose, automated, to_number, from_number,
                    body, status, provider_id, sent_at, created_at, updated_at)
                 VALUES ('inbound', ?1, 'service', 0, ?2, ?3, ?4, 'received', ?5, ?6, ?6, ?6)",
            )
            .unwrap();
        let mut outbound = conn
            .prepare(
                "INSERT INTO messages (direction, client_id, appointment_id, rule_id,
                    template_version_id, purpose, automated, to_number, body, status, reason,
                    send_at, planned_for, sent_at, provider_id, error_code, segments, attempts,
                    claimed_at, sent_by, follow_up, created_at, updated_at)
                 VALUES ('outbound', ?1, ?2, ?3, ?4, 'service', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                    ?13, ?14, ?15, 1, ?16, ?17, ?18, ?19, ?20)",
            )
            .unwrap();
        for (i, t) in year.texts.iter().enumerate() {
            let c = t.client as usize;
            let first = FIRST[c % FIRST.len()];
            let a = t.appointment.map(|i| year.appointments[i as usize]);
            let provider_id = format!("SM{i:032x}");
            let sent = stamp(t.sent);
            if t.kind.inbound() {
                let body = match t.kind {
                    Kind::Yes => pick(&mut rng, &YES).to_owned(),
                    Kind::No => pick(&mut rng, &NO).to_owned(),
                    Kind::Reschedule => pick(&mut rng, &RESCHEDULE).to_owned(),
                    Kind::Late => pick(&mut rng, &LATE).to_owned(),
                    Kind::Thanks => pick(&mut rng, &THANKS).to_owned(),
                    Kind::Feedback => pick(&mut rng, &FEEDBACK).to_owned(),
                    Kind::Stop => "STOP".to_owned(),
                    _ if rng.u32(0..4) == 0 => {
                        format!(
                            "Hi it's {first}, {}",
                            pick(&mut rng, &QUESTIONS).to_lowercase()
                        )
                    }
                    _ => pick(&mut rng, &QUESTIONS).to_owned(),
                };
                inbound
                    .execute(rusqlite::params![
                        c as i64 + 1,
                        BUSINESS_NUMBER,
                        phone(c),
                        body,
                        provider_id,
                        sent
                    ])
                    .unwrap();
                counts.inbound += 1;
                if t.kind == Kind::Stop {
                    consent
                        .execute(rusqlite::params![
                            c as i64 + 1,
                            "revoked",
                            "sms_keyword",
                            disclosure,
                            "Tidings",
                            sent,
                            "Replied STOP",
                            conn.last_insert_rowid(),
                        ])
                        .unwrap();
                    counts.opt_outs += 1;
                }
                continue;
            }
            let when = |a: &Appointment| {
                let local = Utc.timestamp_opt(a.starts, 0).unwrap().with_timezone(&ZONE);
                (
                    local.format("%A").to_string(),
                    local.format("%-d %B").to_string(),
                    local.format("%-I:%M%P").to_string(),
                )
            };
            let o = match t.kind {
                Kind::Reminder(r) => {
                    let a = a.unwrap();
                    let service = SERVICES[a.service as usize].0;
                    let (weekday, date, time) = when(&a);
                    let (version, body) = match r {
                        0 if t.sent < july => (
                            ids.confirm_versions[0],
                            format!("{BUSINESS}: your {service} is on {weekday} {date} at {time}. Reply YES to confirm or NO to change it. Reply STOP to opt out."),
                        ),
                        0 => (
                            ids.confirm_versions[1],
                            format!("Hi {first}, {BUSINESS} here: your {service} is {weekday} {date} at {time}. Reply YES to confirm or NO to change it. Reply STOP to opt out."),
                        ),
                        _ => (
                            ids.soon_version,
                            format!("{BUSINESS}: see you at {time} today for your {service}. Reply STOP to opt out."),
                        ),
                    };
                    counts.reminders += 1;
                    Outbound {
                        rule: Some(ids.rules[r as usize]),
                        version: Some(version),
                        planned_for: Some(stamp(a.starts)),
                        ..Outbound::automated(body)
                    }
                }
                Kind::FollowUp => {
                    let a = a.unwrap();
                    let service = SERVICES[a.service as usize].0;
                    Outbound {
                        version: Some(ids.follow_up_version),
                        planned_for: Some(stamp(a.starts)),
                        follow_up: true,
                        ..Outbound::automated(format!("Thanks for coming to {BUSINESS} today, {first}. How was your {service}? Reply with a number from 1 (poor) to 5 (great). Reply STOP to opt out."))
                    }
                }
                Kind::AutoConfirmed => Outbound::reply(
                    format!("Thanks {first}, you're confirmed. See you then!"),
                    "confirmation_reply",
                ),
                Kind::AutoReschedule => Outbound::reply(
                    format!("Thanks {first}, we'll text you shortly to find a new time. You can also call {BUSINESS_NUMBER}."),
                    "reschedule_reply",
                ),
                Kind::OptOutConfirmation => Outbound::reply(
                    format!("{BUSINESS}: you won't get any more texts from us. Reply START to opt back in."),
                    "opt_out_confirmation",
                ),
                _ => {
                    counts.staff += 1;
                    Outbound {
                        sent_by: Some(STAFF_SENDER),
                        ..Outbound::reply(
                            format!("Hi {first}, {}", pick(&mut rng, &STAFF_ANSWERS)),
                            "staff_reply",
                        )
                    }
                }
            };
            let (status, error_code) = if t.kind == Kind::OptOutConfirmation {
                ("delivered", None)
            } else {
                outcome(&mut rng)
            };
            let segments = if o.body.len() > 160 { 2 } else { 1 };
            let queued = o.automated.then(|| stamp(t.sent - 3));
            outbound
                .execute(rusqlite::params![
                    c as i64 + 1,
                    t.appointment.map(|i| i as i64 + 1),
                    o.rule,
                    o.version,
                    o.automated,
                    phone(c),
                    o.body,
                    status,
                    o.reason,
                    queued,
                    o.planned_for,
                    sent,
                    provider_id,
                    error_code,
                    segments,
                    stamp(t.sent - 1),
                    o.sent_by,
                    o.follow_up,
                    stamp(t.created),
                    stamp(t.sent + 4 + rng.i64(0..60)),
                ])
                .unwrap();
        }
    }
    // The facts migration 0012 keeps for Insights (reply times, texts waiting for an answer)
    // are filled in for this bulk-loaded history the way the migration does for old data.
    let facts = include_str!("../../../store/migrations/0012_insights_facts.sql");
    for statement in facts
        .split(";\n")
        .filter(|s| s.trim_start().starts_with("UPDATE"))
    {
        conn.execute_batch(statement).unwrap();
    }
    conn.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    debug_assert_eq!(year.opted_out.iter().flatten().count(), counts.opt_outs);
    counts
}

/// A day at the desk on 31 December, written the way the app writes (the triggers note what
/// changed): 600 visits of 29–31 December marked done or missed, delivery reports for 2,000
/// texts of 31 December, and 300 replies with 150 staff answers to them.
pub fn a_day_at_the_desk(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         UPDATE appointments SET status = CASE WHEN id % 10 = 0 THEN 'no_show' ELSE 'completed' END
         WHERE id IN (SELECT id FROM appointments
                      WHERE starts_at >= '2026-12-29T05:00:00Z' AND starts_at < '2027-01-01T05:00:00Z'
                      ORDER BY id LIMIT 600);
         UPDATE messages SET status = 'delivered'
         WHERE id IN (SELECT id FROM messages WHERE direction = 'outbound'
                        AND sent_at >= '2026-12-31T05:00:00Z' AND sent_at < '2027-01-01T05:00:00Z'
                      ORDER BY id LIMIT 2000);
         UPDATE messages SET replied_at = '2026-12-31T20:00:00Z'
         WHERE id IN (SELECT id FROM messages WHERE direction = 'outbound' AND rule_id IS NOT NULL
                        AND replied_at IS NULL
                        AND sent_at >= '2026-12-30T05:00:00Z' AND sent_at < '2026-12-31T05:00:00Z'
                      ORDER BY id LIMIT 300);
         UPDATE messages SET answered_at = '2026-12-31T21:00:00Z'
         WHERE id IN (SELECT id FROM messages WHERE direction = 'inbound' AND needs_answer = 1
                        AND answered_at IS NULL
                        AND sent_at >= '2026-12-30T05:00:00Z' AND sent_at < '2026-12-31T20:00:00Z'
                      ORDER BY id LIMIT 150);
         COMMIT;",
    )
    .unwrap();
}
