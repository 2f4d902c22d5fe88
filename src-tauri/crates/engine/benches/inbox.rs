//! The reply inbox with 1,000,000 texts stored (20,000 clients, one thread each): listing the
//! open threads and those that need a reply, opening a thread of about 50 texts, and
//! full-text search for a common word ("parking", a few hundred texts) and a rare one (a
//! handful).
//!
//! Run: `cargo bench -p tidings-engine --bench inbox`
//!
//! The data is built fresh in a temporary folder on every run (as the other benches do). Set
//! `TIDINGS_INBOX_BENCH_KEEP=/some/file.sqlite3` to keep a copy of the generated database, e.g.
//! to look at query plans with `sqlite3`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // benchmark code

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, SecondsFormat, TimeZone, Timelike, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use tidings_engine::domain::{SetupInput, WriteSource};
use tidings_engine::{Engine, EngineConfig, FixedClock, InboxFilter};

const MESSAGES: usize = 1_000_000;
const CLIENTS: usize = 20_000;
/// Share of texts that are the customer's (the rest are reminders and staff answers).
const INBOUND_PERCENT: u32 = 40;
/// One text in this many mentions parking (0.03%, about 300 texts).
const PARKING_EVERY: usize = 3_333;
const RARE_WORD: &str = "mezzanine";
const RARE_AT: [usize; 5] = [123_457, 301_999, 555_555, 777_001, 999_000];
const BUSINESS_NUMBER: &str = "+18005550199";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
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
const SERVICES: [&str; 10] = [
    "haircut",
    "colour",
    "balayage",
    "blow-dry",
    "beard trim",
    "manicure",
    "pedicure",
    "facial",
    "massage",
    "physio session",
];
const STAFF: [&str; 8] = ["Dana", "Sam", "Alex", "Jo", "Rita", "Kai", "Mel", "Theo"];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const REPLIES: [&str; 36] = [
    "Yes",
    "YES",
    "yes thanks",
    "Confirmed, see you then",
    "No",
    "Can I move it to later in the day?",
    "Running about 10 minutes late, sorry!",
    "Could we do next week instead?",
    "Thanks!",
    "Is it ok if I bring my daughter along?",
    "What time do you close on Saturday?",
    "I need to cancel, I'm sick",
    "Do you have anything earlier?",
    "Perfect",
    "How much is a cut and colour now?",
    "Sorry who is this?",
    "I'll be there",
    "Can you remind me what I booked?",
    "Is the card machine working again?",
    "Can I pay by bank transfer?",
    "My husband will come instead",
    "Stuck in traffic, be there in 5",
    "Great, thank you so much",
    "Do you sell the shampoo you used last time?",
    "Can I book the same again in six weeks?",
    "Please call me when you get a chance",
    "The door was locked when I arrived",
    "Is there a lift? I have a pram",
    "Will it take longer than an hour?",
    "Can I change the stylist?",
    "ok",
    "👍",
    "Happy new year! See you soon",
    "Left my umbrella there yesterday, did anyone find it?",
    "Can I get a receipt emailed?",
    "stop texting the old number please, this is my new one",
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
const PARKING_QUESTIONS: [&str; 4] = [
    "Is there parking near you?",
    "Where's the best place for parking on a Saturday?",
    "Can I use the parking behind the pharmacy?",
    "Is the parking free after 5?",
];
const PARKING_ANSWERS: [&str; 3] = [
    "Yes, there's free parking behind the building after 5pm.",
    "The parking on Elm Street is the closest, 2 hours free.",
    "Our parking spaces are marked in blue, use any of them.",
];

fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(..list.len())]
}

fn reminder(rng: &mut fastrand::Rng, first: &str, at: DateTime<Utc>) -> String {
    let when = at + chrono::Duration::hours(rng.i64(20..30));
    format!(
        "Quay Clinic: Hi {first}, your {} with {} is on {} {} {} at {}:{:02}. Reply YES to confirm or NO to change it. Reply STOP to opt out.",
        pick(rng, &SERVICES),
        pick(rng, &STAFF),
        WEEKDAYS[when.weekday().num_days_from_monday() as usize],
        when.day(),
        MONTHS[when.month0() as usize],
        9 + when.hour() % 9,
        rng.u32(0..4) * 15,
    )
}

fn inbound_body(rng: &mut fastrand::Rng, first: &str) -> String {
    match rng.u32(0..10) {
        0..=5 => pick(rng, &REPLIES).to_owned(),
        6 | 7 => format!("{} {}", pick(rng, &REPLIES), pick(rng, &REPLIES)),
        8 => format!(
            "Hi it's {first}, {} {}",
            pick(rng, &REPLIES).to_lowercase(),
            pick(rng, &WEEKDAYS)
        ),
        _ => format!(
            "Can I book a {} with {} on {}?",
            pick(rng, &SERVICES),
            pick(rng, &STAFF),
            pick(rng, &WEEKDAYS)
        ),
    }
}

/// What the thread of one client looks like once everything is inserted.
#[derive(Default, Clone)]
struct Thread {
    texts: u32,
    first_at: Option<String>,
    last_at: String,
    last_preview: String,
    last_inbound_at: Option<String>,
    /// Customer's texts since the last text to them.
    trailing_inbound: u32,
}

fn preview(body: &str) -> String {
    body.chars().take(140).collect()
}

fn open_engine(path: &Path) -> Engine {
    Engine::open(EngineConfig {
        db_path: path.to_owned(),
        clock: Arc::new(FixedClock::new(now())),
        ..EngineConfig::new(Default::default())
    })
    .unwrap()
}

/// Fills the (migrated, set up) database at `path` with the clients, texts and threads, in one
/// transaction with the full-text triggers on; returns the id of a read conversation with about
/// 50 texts, its number of texts, and how many texts match "parking" and the rare word.
fn fill(path: &Path) -> (i64, u32, [i64; 2]) {
    let mut rng = fastrand::Rng::with_seed(0x7d1);
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA cache_size = -262144; BEGIN")
        .unwrap();
    let start = now() - chrono::Duration::minutes(MESSAGES as i64 + 1);
    let created = stamp(start);
    let mut threads = vec![Thread::default(); CLIENTS];
    {
        let mut client = conn
            .prepare(
                "INSERT INTO clients (id, name, phone, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )
            .unwrap();
        for c in 0..CLIENTS {
            let name = format!("{} {}", FIRST[c % FIRST.len()], LAST[(c / 7) % LAST.len()]);
            client
                .execute(rusqlite::params![c as i64 + 1, name, phone(c), created])
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
                "INSERT INTO messages (direction, client_id, purpose, automated, to_number, from_number,
                    body, status, send_at, sent_at, provider_id, segments, sent_by, created_at, updated_at)
                 VALUES ('outbound', ?1, 'service', ?2, ?3, ?4, ?5, 'delivered', ?6, ?6, ?7, ?8, ?9, ?6, ?6)",
            )
            .unwrap();
        for i in 0..MESSAGES {
            let c = rng.usize(..CLIENTS);
            let first = FIRST[c % FIRST.len()];
            let at = stamp(start + chrono::Duration::minutes(i as i64));
            let from_customer = rng.u32(0..100) < INBOUND_PERCENT;
            let staff = !from_customer && rng.u32(0..4) == 0;
            let mut body = if i % PARKING_EVERY == 1_234 {
                if from_customer {
                    pick(&mut rng, &PARKING_QUESTIONS).to_owned()
                } else {
                    pick(&mut rng, &PARKING_ANSWERS).to_owned()
                }
            } else if from_customer {
                inbound_body(&mut rng, first)
            } else if staff {
                format!("Hi {first}, {}", pick(&mut rng, &STAFF_ANSWERS))
            } else {
                reminder(&mut rng, first, start + chrono::Duration::minutes(i as i64))
            };
            if RARE_AT.contains(&i) {
                body.push_str(&format!(" We'll be upstairs on the {RARE_WORD} that day."));
            }
            let provider_id = format!("SM{i:032x}");
            if from_customer {
                inbound
                    .execute(rusqlite::params![
                        c as i64 + 1,
                        BUSINESS_NUMBER,
                        phone(c),
                        body,
                        provider_id,
                        at
                    ])
                    .unwrap();
            } else {
                let segments = if body.len() > 160 { 2 } else { 1 };
                outbound
                    .execute(rusqlite::params![
                        c as i64 + 1,
                        !staff,
                        phone(c),
                        BUSINESS_NUMBER,
                        body,
                        at,
                        provider_id,
                        segments,
                        staff.then_some("Dana"),
                    ])
                    .unwrap();
            }
            let t = &mut threads[c];
            t.texts += 1;
            t.first_at.get_or_insert_with(|| at.clone());
            t.last_preview = preview(&body);
            if from_customer {
                t.last_inbound_at = Some(at.clone());
                t.trailing_inbound += 1;
            } else {
                t.trailing_inbound = 0;
            }
            t.last_at = at;
        }
        let mut conversation = conn
            .prepare(
                "INSERT INTO conversations (phone, client_id, status, unread, needs_reply,
                    reschedule_requested, last_message_at, last_preview, last_inbound_at,
                    created_at, updated_at)
                 VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?6)",
            )
            .unwrap();
        for (c, t) in threads.iter().enumerate() {
            if t.last_inbound_at.is_none() {
                continue; // never texted back: no thread
            }
            let waiting = t.trailing_inbound > 0;
            conversation
                .execute(rusqlite::params![
                    phone(c),
                    c as i64 + 1,
                    t.trailing_inbound,
                    waiting && c % 10 == 0,
                    waiting && c % 97 == 0,
                    t.last_at,
                    t.last_preview,
                    t.last_inbound_at,
                    t.first_at,
                ])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    // The thread to open: the read one whose size is closest to 50 texts.
    let (c, t) = threads
        .iter()
        .enumerate()
        .filter(|(_, t)| t.last_inbound_at.is_some() && t.trailing_inbound == 0)
        .min_by_key(|(_, t)| t.texts.abs_diff(50))
        .unwrap();
    let id = conn
        .query_row(
            "SELECT id FROM conversations WHERE phone = ?1",
            [phone(c)],
            |r| r.get(0),
        )
        .unwrap();
    let matches = |word: &str| {
        conn.query_row(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?1",
            [format!("\"{word}\"*")],
            |r| r.get(0),
        )
        .unwrap()
    };
    (id, t.texts, [matches("parking"), matches(RARE_WORD)])
}

/// Every call criterion timed (warm-up included), for the median/p95 summary printed at the end.
struct Summary(RefCell<Vec<(String, Vec<Duration>, String)>>);

impl Summary {
    /// Benchmarks `f` under `name`, recording every call's time; `describe` says what one call
    /// returned.
    fn bench<T>(
        &self,
        group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        mut f: impl FnMut() -> T,
        describe: impl Fn(&T) -> String,
    ) {
        let what = describe(&f());
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
        self.0
            .borrow_mut()
            .push((name.to_owned(), times.into_inner(), what));
    }

    fn print(&self) {
        println!();
        println!("inbox with {MESSAGES} texts stored, {CLIENTS} clients:");
        println!(
            "  {:<22} {:>10} {:>10} {:>10}  result",
            "operation", "median", "p95", "calls"
        );
        for (name, times, what) in self.0.borrow_mut().iter_mut() {
            times.sort();
            let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
            println!(
                "  {:<22} {:>10} {:>10} {:>10}  {what}",
                name,
                format!("{:.2} ms", at(0.5).as_secs_f64() * 1e3),
                format!("{:.2} ms", at(0.95).as_secs_f64() * 1e3),
                times.len(),
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tidings.sqlite3");

    let built = Instant::now();
    let engine = open_engine(&path);
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "bench",
        )
        .unwrap();
    let (thread_id, thread_texts, [parking, rare]) = fill(&path);
    let build_time = built.elapsed();
    let db_bytes = std::fs::metadata(&path).unwrap().len();
    println!(
        "built {MESSAGES} texts, {CLIENTS} clients and their threads in {:.1} s (database {:.0} MB)",
        build_time.as_secs_f64(),
        db_bytes as f64 / 1e6
    );
    println!("texts matching \"parking\": {parking}, matching \"{RARE_WORD}\": {rare}");
    if let Ok(keep) = std::env::var("TIDINGS_INBOX_BENCH_KEEP") {
        std::fs::copy(&path, &keep).unwrap();
        println!("kept a copy at {keep}");
    }

    // Opening marks the thread read once; every later open is the plain read.
    engine.open_thread(thread_id, WriteSource::Ui).unwrap();

    let summary = Summary(RefCell::new(Vec::new()));
    let mut group = c.benchmark_group("inbox_1m_texts");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let threads = |v: &tidings_engine::InboxView| {
        format!(
            "{} threads listed; counts: open {}, needs reply {}, unread {}",
            v.threads.len(),
            v.counts.open,
            v.counts.needs_reply,
            v.counts.unread
        )
    };
    summary.bench(
        &mut group,
        "list_open",
        || engine.inbox(InboxFilter::Open).unwrap(),
        threads,
    );
    summary.bench(
        &mut group,
        "list_needs_reply",
        || engine.inbox(InboxFilter::NeedsReply).unwrap(),
        threads,
    );
    summary.bench(
        &mut group,
        "open_thread",
        || engine.open_thread(thread_id, WriteSource::Ui).unwrap(),
        |v| format!("{} texts shown (thread has {thread_texts})", v.texts.len()),
    );
    let hits = |h: &Vec<tidings_engine::InboxSearchHit>| format!("{} hits shown", h.len());
    summary.bench(
        &mut group,
        "search_parking",
        || engine.search_inbox("parking").unwrap(),
        hits,
    );
    summary.bench(
        &mut group,
        "search_rare_word",
        || engine.search_inbox(RARE_WORD).unwrap(),
        hits,
    );
    group.finish();
    summary.print();
}

criterion_group!(benches, bench);
criterion_main!(benches);
