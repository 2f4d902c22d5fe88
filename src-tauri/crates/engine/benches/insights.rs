//! Insights over a year of texting: 1,000,000 texts stored (20,000 clients, 150,000
//! appointments in 2026 with their reminders, replies, staff answers, follow-ups and opt-outs),
//! the report for the last 30 days, the last 90 days and the whole year, with the clock on
//! 1 January 2027.
//!
//! Run: `cargo bench -p tidings-engine --bench insights`
//!
//! What is timed, for each period:
//! - `first look`: one call with no day totals kept (the first look after an upgrade, before
//!   the app's warm-up has run): every closed day is counted from the texts and kept;
//! - the criterion samples: the call as the Insights screen makes it, closed days kept;
//! - `after a day`: the whole year again after a day of changes at the desk (visits marked
//!   done or missed, delivery reports, replies, staff answers), which touch a few closed days;
//! - `warm-up`: `Engine::warm_insights(400)` from nothing, as the app runs it at start.
//!
//! The data is built fresh in a temporary folder on every run (as the other benches do). Set
//! `TIDINGS_INSIGHTS_BENCH_KEEP=/some/file.sqlite3` to keep a copy of the generated database,
//! e.g. to look at query plans with `sqlite3`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use tidings_engine::domain::{SetupInput, WriteSource};
use tidings_engine::{Engine, EngineConfig, FixedClock, InsightsReport, Preset};

const CLIENTS: usize = 20_000;
const APPOINTMENTS: usize = 150_000;
const MESSAGES: usize = 1_000_000;
/// One client in this many texts STOP during the year (0.5%).
const OPT_OUT_EVERY: usize = 200;
const BUSINESS: &str = "Quay Clinic";
const BUSINESS_NUMBER: &str = "+18005550199";
const ZONE: Tz = chrono_tz::America::New_York;
/// The staff member answering texts in the inbox.
const STAFF_SENDER: &str = "Sam";
/// The periods reported, as the Insights screen asks for them (business-local days).
const PERIODS: [(&str, &str, &str); 3] = [
    ("last_30_days", "2026-12-02", "2026-12-31"),
    ("last_90_days", "2026-10-03", "2026-12-31"),
    ("whole_year", "2026-01-01", "2026-12-31"),
];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap()
}

fn stamp(t: i64) -> String {
    Utc.timestamp_opt(t, 0)
        .unwrap()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Seconds since the epoch of `minutes` past local midnight on `day`, business time.
fn local(day: NaiveDate, minutes: u32) -> i64 {
    let t = day.and_hms_opt(minutes / 60, minutes % 60, 0).unwrap();
    ZONE.from_local_datetime(&t).earliest().unwrap().timestamp()
}

fn phone(client: usize) -> String {
    format!("+1415{:07}", 2_000_000 + client)
}

const FIRST: [&str; 24] = [
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Chloe", "Lucas", "Ruby", "Omar", "Priya",
    "Mateo", "Hannah", "Kenji", "Sofia", "Diego", "Grace", "Tariq", "Ines", "Felix", "Amara",
    "Jonah", "Leila", "Marco",
];
const LAST: [&str; 20] = [
    "Nguyen", "Smith", "Garcia", "Okafor", "Kowalski", "Haddad", "Silva", "Brown", "Rossi",
    "Tanaka", "Murphy", "Schmidt", "Patel", "Dubois", "Ortiz", "Larsen", "Cohen", "Kim", "Novak",
    "Walsh",
];
/// (service, minutes)
const SERVICES: [(&str, i64); 10] = [
    ("haircut", 45),
    ("colour", 90),
    ("balayage", 120),
    ("blow-dry", 30),
    ("beard trim", 30),
    ("manicure", 45),
    ("pedicure", 60),
    ("facial", 60),
    ("massage", 60),
    ("physio session", 45),
];
const STAFF: [&str; 8] = ["Dana", "Sam", "Alex", "Jo", "Rita", "Kai", "Mel", "Theo"];
const YES: [&str; 8] = [
    "Yes",
    "YES",
    "yes",
    "Y",
    "Yes please",
    "yes thanks",
    "Confirmed",
    "YES see you then",
];
const NO: [&str; 5] = [
    "No",
    "NO",
    "No sorry, I need to cancel",
    "no I can't make it",
    "Sorry, I'm sick, can't come",
];
const RESCHEDULE: [&str; 4] = [
    "Can I move it to later in the day?",
    "Could we do next week instead?",
    "Do you have anything earlier?",
    "Can we change it to Friday?",
];
const QUESTIONS: [&str; 24] = [
    "Is it ok if I bring my daughter along?",
    "What time do you close on Saturday?",
    "How much is a cut and colour now?",
    "Sorry who is this?",
    "Can you remind me what I booked?",
    "Is the card machine working again?",
    "Can I pay by bank transfer?",
    "My husband will come instead",
    "Do you sell the shampoo you used last time?",
    "Can I book the same again in six weeks?",
    "Please call me when you get a chance",
    "The door was locked when I arrived",
    "Is there a lift? I have a pram",
    "Will it take longer than an hour?",
    "Can I change the stylist?",
    "Left my umbrella there yesterday, did anyone find it?",
    "Can I get a receipt emailed?",
    "stop texting the old number please, this is my new one",
    "Is there parking near you?",
    "Do you have gift cards?",
    "Are you open on the public holiday?",
    "Hi, do you have any openings this week?",
    "Can I book a haircut for my son too?",
    "Is Dana in on Thursday?",
];
const LATE: [&str; 5] = [
    "Running about 10 minutes late, sorry!",
    "Stuck in traffic, be there in 5",
    "On my way",
    "Might be a few mins late",
    "Parking now, 2 mins",
];
const THANKS: [&str; 6] = [
    "Thanks!",
    "ok",
    "👍",
    "Perfect",
    "Great, thank you so much",
    "See you then",
];
const FEEDBACK: [&str; 6] = [
    "5",
    "5",
    "4",
    "3",
    "Great thanks, 5",
    "4 - lovely as always",
];
const STAFF_ANSWERS: [&str; 16] = [
    "No problem, see you then!",
    "Thanks for letting us know, we've moved you to Thursday at 3pm.",
    "Sorry to hear that, we've cancelled it. Get well soon!",
    "We're open until 6pm on Saturdays.",
    "Yes of course, bring them along.",
    "We'll call you shortly to sort that out.",
    "It's $85 for a cut and colour with a senior stylist.",
    "Found it! It's behind the desk for you.",
    "The earliest we have is Tuesday at 9:30, shall I book it?",
    "Done, you're booked in for six weeks' time.",
    "That's fine, we'll see you a little later.",
    "Receipt sent to the email we have on file.",
    "Yes, the card machine is fixed now.",
    "Sorry about that, the side door is open from 8.",
    "We've updated your number, thanks.",
    "There's a lift at the back of the building.",
];
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

fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(..list.len())]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Booked,
    Confirmed,
    RescheduleRequested,
    Cancelled,
    Completed,
    NoShow,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Confirmed => "confirmed",
            Self::RescheduleRequested => "reschedule_requested",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::NoShow => "no_show",
        }
    }
}

#[derive(Clone, Copy)]
struct Appointment {
    client: u32,
    starts: i64,
    service: u8,
    staff: u8,
    status: Status,
    created: i64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Outbound, automated: 0 is "24 hours before" (asks YES/NO), 1 is "2 hours before".
    Reminder(u8),
    /// Inbound answers to a reminder.
    Yes,
    No,
    Reschedule,
    Late,
    Thanks,
    /// Inbound: a question, in answer to a reminder or out of the blue.
    Question,
    /// Outbound, automatic answers to YES and NO.
    AutoConfirmed,
    AutoReschedule,
    /// Outbound, typed by staff in the inbox.
    StaffAnswer,
    /// Outbound after a visit, and the customer's answer.
    FollowUp,
    Feedback,
    Stop,
    OptOutConfirmation,
}

impl Kind {
    fn inbound(self) -> bool {
        matches!(
            self,
            Self::Yes
                | Self::No
                | Self::Reschedule
                | Self::Late
                | Self::Thanks
                | Self::Question
                | Self::Feedback
                | Self::Stop
        )
    }
}

/// One text to insert; the body is written at insert time.
#[derive(Clone, Copy)]
struct Text {
    /// When the row was created (reminders: when the appointment was booked); rows are
    /// inserted in this order, so ids follow it as they would in use.
    created: i64,
    sent: i64,
    kind: Kind,
    client: u32,
    /// Index into the appointments, for texts about one.
    appointment: Option<u32>,
}

/// How long a customer takes to answer a reminder.
fn reply_delay(rng: &mut fastrand::Rng) -> i64 {
    match rng.u32(0..10) {
        0..=5 => rng.i64(60..1_800),
        6..=8 => rng.i64(1_800..14_400),
        _ => rng.i64(14_400..108_000),
    }
}

/// How long staff take to answer a customer's text (overnight for some).
fn staff_delay(rng: &mut fastrand::Rng) -> i64 {
    match rng.u32(0..20) {
        0..=9 => rng.i64(120..1_800),
        10..=16 => rng.i64(1_800..10_800),
        _ => rng.i64(10_800..72_000),
    }
}

struct Year {
    appointments: Vec<Appointment>,
    texts: Vec<Text>,
    /// When each client texted STOP, for the 0.5% who did.
    opted_out: Vec<Option<i64>>,
}

/// The year 2026 at the business: appointments Monday to Saturday, 9:00 to 17:30, their
/// reminders and what followed, plus customers texting out of the blue, up to `MESSAGES`.
fn year(rng: &mut fastrand::Rng) -> Year {
    let first_day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let days: Vec<NaiveDate> = first_day.iter_days().take(365).collect();
    let open_days: Vec<NaiveDate> = days
        .iter()
        .copied()
        .filter(|d| d.weekday() != Weekday::Sun)
        .collect();
    let end = now().timestamp();

    let opted_out: Vec<Option<i64>> = (0..CLIENTS)
        .map(|c| {
            (c % OPT_OUT_EVERY == 37).then(|| {
                local(days[rng.usize(..days.len())], rng.u32(8 * 60..21 * 60)) + rng.i64(0..60)
            })
        })
        .collect();
    let texting = |c: u32, at: i64| opted_out[c as usize].is_none_or(|t| at < t);

    let mut appointments: Vec<(Appointment, bool)> = (0..APPOINTMENTS)
        .map(|_| {
            let starts = local(
                open_days[rng.usize(..open_days.len())],
                9 * 60 + 15 * rng.u32(0..35),
            );
            // A fifth of the clients are regulars, with more than their share of visits.
            let client = if rng.u32(0..10) < 3 {
                rng.usize(..CLIENTS / 5)
            } else {
                rng.usize(..CLIENTS)
            } as u32;
            let reminded = texting(client, starts - 86_400) && rng.u32(0..100) < 92;
            // Reminders cut no-shows: 4.5% with one, 11% without (about 5% overall).
            let no_shows = if reminded { 45 } else { 110 };
            let r = rng.u32(0..1000);
            let status = if r < no_shows {
                Status::NoShow
            } else if r < no_shows + 50 {
                Status::Cancelled
            } else if r < no_shows + 60 {
                Status::RescheduleRequested
            } else if r < no_shows + 120 {
                Status::Confirmed
            } else if r < no_shows + 150 {
                Status::Booked
            } else {
                Status::Completed
            };
            let appointment = Appointment {
                client,
                starts,
                service: rng.u8(0..SERVICES.len() as u8),
                staff: rng.u8(0..STAFF.len() as u8),
                status,
                created: starts - rng.i64(2 * 86_400..45 * 86_400),
            };
            (appointment, reminded)
        })
        .collect();
    appointments.sort_by_key(|(a, _)| a.starts);

    let mut texts = Vec::with_capacity(MESSAGES + 16);
    let push = |texts: &mut Vec<Text>,
                sent: i64,
                created: i64,
                kind: Kind,
                client: u32,
                appointment: Option<u32>| {
        if sent < end
            && (matches!(kind, Kind::Stop | Kind::OptOutConfirmation) || texting(client, sent))
        {
            texts.push(Text {
                created,
                sent,
                kind,
                client,
                appointment,
            });
        }
    };
    for (i, (a, reminded)) in appointments.iter().enumerate() {
        let (c, at) = (a.client, Some(i as u32));
        if *reminded {
            let sent = a.starts - 86_400 + rng.i64(0..120);
            push(&mut texts, sent, a.created, Kind::Reminder(0), c, at);
            let answer = match a.status {
                Status::Cancelled => (rng.u32(0..10) < 7).then_some(Kind::No),
                Status::RescheduleRequested => (rng.u32(0..10) < 8).then_some(Kind::Reschedule),
                _ if rng.u32(0..100) < 44 => Some(if rng.u32(0..100) < 78 {
                    Kind::Yes
                } else {
                    Kind::Question
                }),
                _ => None,
            };
            if let Some(kind) = answer {
                let replied = sent + reply_delay(rng);
                push(&mut texts, replied, replied, kind, c, None);
                match kind {
                    Kind::Yes => push(
                        &mut texts,
                        replied + 2,
                        replied + 2,
                        Kind::AutoConfirmed,
                        c,
                        None,
                    ),
                    Kind::No | Kind::Reschedule => {
                        push(
                            &mut texts,
                            replied + 2,
                            replied + 2,
                            Kind::AutoReschedule,
                            c,
                            None,
                        );
                        let answered = replied + staff_delay(rng);
                        push(&mut texts, answered, answered, Kind::StaffAnswer, c, None);
                    }
                    _ => {
                        if rng.u32(0..10) < 9 {
                            let answered = replied + staff_delay(rng);
                            push(&mut texts, answered, answered, Kind::StaffAnswer, c, None);
                            if rng.u32(0..10) < 3 {
                                let thanks = answered + rng.i64(60..3_600);
                                push(&mut texts, thanks, thanks, Kind::Thanks, c, None);
                            }
                        }
                    }
                }
            }
            if a.status != Status::Cancelled && rng.u32(0..100) < 95 {
                let sent = a.starts - 7_200 + rng.i64(0..120);
                push(&mut texts, sent, a.created, Kind::Reminder(1), c, at);
                if rng.u32(0..10) < 3 {
                    let replied = sent + rng.i64(60..5_400);
                    let kind = if rng.u32(0..10) < 6 {
                        Kind::Late
                    } else {
                        Kind::Thanks
                    };
                    push(&mut texts, replied, replied, kind, c, None);
                    if kind == Kind::Late && rng.bool() {
                        let answered = replied + rng.i64(60..1_200);
                        push(&mut texts, answered, answered, Kind::StaffAnswer, c, None);
                    }
                }
            }
        }
        if a.status == Status::Completed && rng.u32(0..10) < 4 {
            let sent = a.starts + SERVICES[a.service as usize].1 * 60 + 7_200 + rng.i64(0..120);
            push(&mut texts, sent, a.starts, Kind::FollowUp, c, at);
            if rng.u32(0..100) < 35 {
                let answered = sent + rng.i64(300..21_600);
                push(&mut texts, answered, answered, Kind::Feedback, c, None);
            }
        }
    }
    for (c, at) in opted_out.iter().enumerate() {
        if let Some(at) = *at {
            push(&mut texts, at, at, Kind::Stop, c as u32, None);
            push(
                &mut texts,
                at + 2,
                at + 2,
                Kind::OptOutConfirmation,
                c as u32,
                None,
            );
        }
    }
    // Customers texting out of the blue, and the back-and-forth with staff, up to the total.
    while texts.len() < MESSAGES {
        let c = rng.usize(..CLIENTS) as u32;
        let mut at =
            local(days[rng.usize(..days.len())], rng.u32(8 * 60..21 * 60)) + rng.i64(0..60);
        push(&mut texts, at, at, Kind::Question, c, None);
        while rng.u32(0..100) < 88 {
            at += staff_delay(rng);
            push(&mut texts, at, at, Kind::StaffAnswer, c, None);
            if rng.u32(0..100) >= 45 {
                break;
            }
            at += rng.i64(60..3_600);
            let kind = if rng.bool() {
                Kind::Question
            } else {
                Kind::Thanks
            };
            push(&mut texts, at, at, kind, c, None);
        }
    }
    texts.truncate(MESSAGES);
    texts.sort_by_key(|t| (t.created, t.sent));
    Year {
        appointments: appointments.into_iter().map(|(a, _)| a).collect(),
        texts,
        opted_out,
    }
}

/// The ids the generated texts refer to, read from the set-up database.
struct Ids {
    /// "24 hours before", "2 hours before".
    rules: [i64; 2],
    /// reminder_confirm v1 (used until June) and v2 (from July).
    confirm_versions: [i64; 2],
    soon_version: i64,
    follow_up_version: i64,
}

fn open_engine(path: &Path) -> Engine {
    Engine::open(EngineConfig {
        db_path: path.to_owned(),
        clock: Arc::new(FixedClock::new(now())),
        ..EngineConfig::new(Default::default())
    })
    .unwrap()
}

/// Sets up the business, applies the Standard preset, and saves a second wording of the
/// YES/NO reminder (used from July), so the template comparison has two versions.
fn set_up(engine: &Engine) -> Ids {
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
struct Counts {
    inbound: usize,
    reminders: usize,
    staff: usize,
    opt_outs: usize,
}

/// Fills the (migrated, set up) database at `path` in one transaction with the full-text
/// triggers on.
fn fill(path: &Path, ids: &Ids) -> Counts {
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
    let facts = include_str!("../../store/migrations/0012_insights_facts.sql");
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

/// Every call timed per period (criterion's warm-up included), for the median/p95 summary
/// printed at the end.
struct Summary(RefCell<Vec<(String, Vec<Duration>, String)>>);

impl Summary {
    /// Benchmarks `f` under `name`, recording every call's time; `what` says what one call
    /// returned.
    fn bench<T>(
        &self,
        group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        mut f: impl FnMut() -> T,
        what: String,
    ) {
        let times = RefCell::new(Vec::new());
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    std::hint::black_box(f());
                    let took = t.elapsed();
                    times.borrow_mut().push(took);
                    total += took;
                }
                total
            })
        });
        self.record(name, times.into_inner(), what);
    }

    fn record(&self, name: &str, times: Vec<Duration>, what: String) {
        self.0.borrow_mut().push((name.to_owned(), times, what));
    }

    fn print(&self) {
        println!();
        println!(
            "insights with {MESSAGES} texts stored ({CLIENTS} clients, {APPOINTMENTS} appointments in 2026):"
        );
        println!(
            "  {:<26} {:>10} {:>10} {:>6}  result",
            "call", "median", "p95", "calls"
        );
        for (name, times, what) in self.0.borrow_mut().iter_mut() {
            times.sort();
            let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
            println!(
                "  {:<26} {:>10} {:>10} {:>6}  {what}",
                name,
                ms(at(0.5)),
                ms(at(0.95)),
                times.len(),
            );
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// A day at the desk on 31 December, written the way the app writes (the triggers note what
/// changed): 600 visits of 29–31 December marked done or missed, delivery reports for 2,000
/// texts of 31 December, and 300 replies with 150 staff answers to them.
fn a_day_at_the_desk(path: &Path) {
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

fn describe(r: &InsightsReport) -> String {
    format!(
        "sent {}, reminders {}, replied {}, confirmed {}/{}, no-shows {}/{} vs {}/{}, opt-outs {}, answered {} (median {:?} s), {} weeks, {} versions",
        r.sent,
        r.reminders_sent,
        r.response.count,
        r.confirmation.count,
        r.confirmation.out_of,
        r.no_show_reminded.count,
        r.no_show_reminded.out_of,
        r.no_show_not_reminded.count,
        r.no_show_not_reminded.out_of,
        r.opt_outs.count,
        r.first_response.answered,
        r.first_response.median_seconds,
        r.weekly.len(),
        r.versions.len(),
    )
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");

    let built = Instant::now();
    let engine = open_engine(&path);
    let ids = set_up(&engine);
    let counts = fill(&path, &ids);
    let build_time = built.elapsed();
    let db_bytes = std::fs::metadata(&path).unwrap().len();
    println!(
        "built {MESSAGES} texts ({} inbound, {} reminders, {} staff answers), {APPOINTMENTS} appointments, {CLIENTS} clients ({} opted out) in {:.1} s (database {:.0} MB)",
        counts.inbound,
        counts.reminders,
        counts.staff,
        counts.opt_outs,
        build_time.as_secs_f64(),
        db_bytes as f64 / 1e6
    );
    if let Ok(keep) = std::env::var("TIDINGS_INSIGHTS_BENCH_KEEP") {
        std::fs::copy(&path, &keep).unwrap();
        println!("kept a copy at {keep}");
    }

    let summary = Summary(RefCell::new(Vec::new()));
    // The first look at each period, nothing kept: three calls each.
    for (name, from, to) in PERIODS {
        let mut times = Vec::new();
        for _ in 0..3 {
            engine.forget_insights().unwrap();
            let t = Instant::now();
            std::hint::black_box(engine.insights(from, to).unwrap());
            times.push(t.elapsed());
        }
        summary.record(
            &format!("{name}, first look"),
            times,
            "every closed day counted from the texts and kept".into(),
        );
    }
    engine.forget_insights().unwrap();
    let t = Instant::now();
    let warmed = engine.warm_insights(400).unwrap();
    summary.record(
        "warm-up (400 days)",
        vec![t.elapsed()],
        format!("{warmed} days counted and kept"),
    );

    let mut group = c.benchmark_group("insights_1m_texts");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let mut reports = Vec::new();
    for (name, from, to) in PERIODS {
        let report = engine.insights(from, to).unwrap();
        summary.bench(
            &mut group,
            name,
            || engine.insights(from, to).unwrap(),
            describe(&report),
        );
        reports.push(report);
    }
    group.finish();

    // The figures read from kept days are the figures counted from the texts.
    engine.forget_insights().unwrap();
    for ((_, from, to), kept) in PERIODS.iter().zip(&reports) {
        assert_eq!(&engine.insights(from, to).unwrap(), kept);
    }

    let (_, from, to) = PERIODS[2];
    let mut times = Vec::new();
    for _ in 0..5 {
        a_day_at_the_desk(&path);
        let t = Instant::now();
        let after = engine.insights(from, to).unwrap();
        times.push(t.elapsed());
        std::hint::black_box(after);
    }
    summary.record(
        "whole_year, after a day",
        times,
        "the days the changes touched counted again".into(),
    );
    summary.print();
}

criterion_group!(benches, bench);
criterion_main!(benches);
