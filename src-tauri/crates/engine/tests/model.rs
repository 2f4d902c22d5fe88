//! The outbox's promises under random interleavings (a model-based property test).
//!
//! A desk with three clients on the Standard preset lives through a random sequence of steps:
//! bookings, time passing, scheduler passes (some of them stopped dead between two steps, as a
//! killed process is: the engine is dropped mid-pass and opened again on the same file), the
//! network's faults on the next send (answer lost after the provider took the text, request cut
//! before it arrived, 429, 503), STOP, YES, moves, cancellations, phone changes, pause and
//! resume, backup and restore. The carrier is the Sandbox's, whose records live in the same
//! database file and survive every restart, so it is the ground truth of what was sent.
//!
//! After every step, against that truth and a small model of what the desk did:
//! - no reminder reaches the carrier twice;
//! - nothing but the opt-out confirmation goes to a number after its STOP (until a YES);
//! - nothing goes to a number a client no longer has;
//! - no reminder goes for an appointment after it was cancelled, or for a time it was moved
//!   from.
//!
//! And once the run settles (faults gone, sending resumed, a few clean passes): every text the
//! carrier took is one Tidings row with its id, none is left "sending", and every text that did
//! not go says why.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    ProviderKind, Purpose, SetupInput, WriteSource,
};
use tidings_engine::{Clock, Engine, EngineConfig, FixedClock, Preset};
use tidings_sms::{
    InboundPage, OutboundText, Provider, ProviderError, ProviderRecord, SendReceipt, StatusReport,
};

/// What the network does to the next send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The provider takes the text and the answer is lost on the way back.
    AnswerLost,
    /// The request never arrives (a timeout before the provider saw it).
    NeverArrived,
    /// 429: slow down.
    TooMany,
    /// 503: down for a moment.
    Down,
}

#[derive(Debug, Clone)]
enum Op {
    Book {
        client: usize,
        hours: u16,
    },
    Pass {
        minutes: u16,
    },
    /// A scheduler pass; with `Some(n)` the process stops dead after `n` steps.
    Tick {
        kill_after: Option<u8>,
    },
    Fault(Fault),
    Stop {
        client: usize,
    },
    Yes {
        client: usize,
    },
    Move {
        nth: usize,
    },
    Cancel {
        nth: usize,
    },
    NewPhone {
        client: usize,
    },
    Pause,
    Resume,
    Backup,
    Restore,
}

fn op() -> impl Strategy<Value = Op> {
    let client = 0..CLIENTS;
    prop_oneof![
        3 => (client.clone(), 20u16..60).prop_map(|(client, hours)| Op::Book { client, hours }),
        4 => (5u16..900).prop_map(|minutes| Op::Pass { minutes }),
        6 => proptest::option::weighted(0.4, 0u8..6).prop_map(|kill_after| Op::Tick { kill_after }),
        3 => prop_oneof![
            Just(Fault::AnswerLost),
            Just(Fault::NeverArrived),
            Just(Fault::TooMany),
            Just(Fault::Down)
        ]
        .prop_map(Op::Fault),
        1 => client.clone().prop_map(|client| Op::Stop { client }),
        2 => client.clone().prop_map(|client| Op::Yes { client }),
        1 => (0usize..8).prop_map(|nth| Op::Move { nth }),
        1 => (0usize..8).prop_map(|nth| Op::Cancel { nth }),
        1 => client.prop_map(|client| Op::NewPhone { client }),
        1 => Just(Op::Pause),
        1 => Just(Op::Resume),
        1 => Just(Op::Backup),
        1 => Just(Op::Restore),
    ]
}

const CLIENTS: usize = 3;

/// The engine's provider with the network in between: faults queued by the test, and a pause
/// before and after the provider call where a pass can be stopped dead.
struct Network {
    inner: Arc<dyn Provider>,
    faults: Arc<Mutex<VecDeque<Fault>>>,
}

/// Gives the pass a point to be stopped at (one poll).
async fn step() {
    tokio::task::yield_now().await;
}

#[async_trait]
impl Provider for Network {
    fn kind(&self) -> ProviderKind {
        self.inner.kind()
    }

    async fn send(&self, text: &OutboundText) -> Result<SendReceipt, ProviderError> {
        step().await;
        let fault = self.faults.lock().unwrap().pop_front();
        let answer = match fault {
            None => self.inner.send(text).await,
            Some(Fault::AnswerLost) => {
                self.inner.send(text).await?;
                Err(ProviderError::Ambiguous(
                    "the connection was cut before the answer".into(),
                ))
            }
            Some(Fault::NeverArrived) => Err(ProviderError::Ambiguous("timed out".into())),
            Some(Fault::TooMany) => Err(ProviderError::Transient {
                reason: "429 Too Many Requests".into(),
                retry_after: Some(std::time::Duration::from_secs(60)),
            }),
            Some(Fault::Down) => Err(ProviderError::Transient {
                reason: "503 Service Unavailable".into(),
                retry_after: None,
            }),
        };
        step().await;
        answer
    }

    async fn cancel_scheduled(&self, provider_id: &str) -> Result<(), ProviderError> {
        step().await;
        self.inner.cancel_scheduled(provider_id).await
    }

    async fn fetch_status(&self, provider_id: &str) -> Result<StatusReport, ProviderError> {
        self.inner.fetch_status(provider_id).await
    }

    async fn list_inbound(&self, cursor: Option<&str>) -> Result<InboundPage, ProviderError> {
        step().await;
        self.inner.list_inbound(cursor).await
    }

    fn records_lag(&self) -> std::time::Duration {
        self.inner.records_lag()
    }

    async fn messages_to(
        &self,
        to: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProviderRecord>, ProviderError> {
        step().await;
        self.inner.messages_to(to, since).await
    }
}

/// Runs a future for at most `polls` polls; `None` when it was stopped first.
struct Budget<F> {
    inner: Pin<Box<F>>,
    polls: Option<u8>,
}

impl<F: Future> Future for Budget<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(left) = self.polls {
            if left == 0 {
                return Poll::Ready(None);
            }
            self.polls = Some(left - 1);
        }
        self.inner.as_mut().poll(cx).map(Some)
    }
}

/// A carrier record (the Sandbox's `sandbox_messages`).
#[derive(Debug, Clone)]
struct Carried {
    id: i64,
    provider_id: String,
    outbound: bool,
    number: String,
    body: String,
    canceled: bool,
}

struct World {
    _dir: tempfile::TempDir,
    db: PathBuf,
    clock: Arc<FixedClock>,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    engine: Option<Engine>,
    rt: tokio::runtime::Runtime,
    clients: Vec<i64>,
    appointments: Vec<i64>,
    next_phone: u32,
    backup: Option<(String, i64)>,
    /// (number, carrier id): nothing to `number` after that record.
    old_numbers: Vec<(String, i64)>,
    /// (appointment, start or None for all, carrier id): no reminder of it after that record.
    taken_back: Vec<(i64, Option<DateTime<Utc>>, i64)>,
    opt_out_body: String,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.sqlite3");
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
        ));
        let mut world = World {
            _dir: dir,
            db,
            clock,
            faults: Arc::new(Mutex::new(VecDeque::new())),
            engine: None,
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            clients: Vec::new(),
            appointments: Vec::new(),
            next_phone: 100,
            backup: None,
            old_numbers: Vec::new(),
            taken_back: Vec::new(),
            opt_out_body: String::new(),
        };
        world.open();
        let e = world.engine();
        e.complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
        e.apply_preset(Preset::Standard, WriteSource::Ui, "desk")
            .unwrap();
        let mut ids = Vec::new();
        for n in 0..CLIENTS {
            let c = e
                .create_client(
                    &ClientInput {
                        name: format!("Client {n}"),
                        phone: format!("07400 {:06}", n + 1),
                        ..ClientInput::default()
                    },
                    WriteSource::Ui,
                    "desk",
                )
                .unwrap();
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
            ids.push(c.id);
        }
        world.clients = ids;
        world.opt_out_body = tidings_engine::default_templates()
            .into_iter()
            .find(|(key, ..)| *key == "opt_out_confirmation")
            .map(|(_, _, _, body)| body.split('{').next().unwrap_or_default().to_owned())
            .unwrap();
        world
    }

    fn open(&mut self) {
        let faults = self.faults.clone();
        self.engine = Some(
            Engine::open(EngineConfig {
                db_path: self.db.clone(),
                clock: self.clock.clone(),
                wrap_provider: Some(Arc::new(move |inner| {
                    Arc::new(Network {
                        inner,
                        faults: faults.clone(),
                    })
                })),
                ..EngineConfig::new(Default::default())
            })
            .unwrap(),
        );
    }

    fn engine(&self) -> &Engine {
        self.engine.as_ref().unwrap()
    }

    fn phone(&self, client: usize) -> String {
        self.engine()
            .client_detail(self.clients[client])
            .unwrap()
            .client
            .phone
    }

    fn carrier(&self) -> Vec<Carried> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT id, provider_id, direction, from_number, to_number, body, status
                 FROM sandbox_messages ORDER BY id",
            )
            .unwrap();
        stmt.query_map([], |r| {
            let outbound = r.get::<_, String>(2)? == "outbound";
            Ok(Carried {
                id: r.get(0)?,
                provider_id: r.get(1)?,
                outbound,
                number: if outbound { r.get(4)? } else { r.get(3)? },
                body: r.get(5)?,
                canceled: r.get::<_, String>(6)? == "canceled",
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    fn last_carrier_id(&self) -> i64 {
        self.carrier().last().map_or(0, |c| c.id)
    }

    /// Reminder texts Tidings wrote down: (appointment, planned for, to, body).
    fn reminder_bodies(&self) -> Vec<(i64, Option<String>, String, String)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT appointment_id, planned_for, to_number, body FROM messages
                 WHERE rule_id IS NOT NULL AND body <> '' AND appointment_id IS NOT NULL",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn refresh_appointments(&mut self) {
        let now = self.clock.now();
        let mut ids: Vec<i64> = self
            .engine()
            .appointments_between(now - Duration::days(30), now + Duration::days(300), None)
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        ids.sort_unstable();
        self.appointments = ids;
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Book { client, hours } => {
                // Every booking at its own minute, so every reminder's text is its own.
                let n = self.appointments.len() as i64;
                let start = self.clock.now()
                    + Duration::hours(i64::from(hours))
                    + Duration::minutes(7 * n % 60);
                if let Ok(a) = self.engine().create_appointment(
                    &AppointmentInput {
                        client_id: self.clients[client],
                        starts_at: start,
                        ends_at: start + Duration::minutes(30),
                        service_id: None,
                        staff_id: None,
                        location: None,
                        notes: None,
                    },
                    WriteSource::Ui,
                    "desk",
                ) {
                    self.appointments.push(a.id);
                }
            }
            Op::Pass { minutes } => self.clock.advance(Duration::minutes(i64::from(minutes))),
            Op::Tick { kill_after } => {
                let engine = self.engine.take().unwrap();
                let outcome = self.rt.block_on(Budget {
                    inner: Box::pin(engine.tick()),
                    polls: kill_after,
                });
                match outcome {
                    Some(result) => {
                        result.unwrap();
                        self.engine = Some(engine);
                    }
                    None => {
                        // Stopped dead: nothing in memory survives.
                        drop(engine);
                        self.open();
                    }
                }
            }
            Op::Fault(fault) => self.faults.lock().unwrap().push_back(fault),
            Op::Stop { client } | Op::Yes { client } => {
                let phone = self.phone(client);
                let body = if matches!(op, Op::Stop { .. }) {
                    "STOP"
                } else {
                    "YES"
                };
                self.engine()
                    .sandbox()
                    .unwrap()
                    .customer_sends(&phone, body)
                    .unwrap();
            }
            Op::Move { nth } | Op::Cancel { nth } => {
                let Some(&id) = self.appointments.get(nth) else {
                    return;
                };
                let Ok(a) = self.engine().appointment(id) else {
                    return;
                };
                if !a.status.is_live() || a.starts_at <= self.clock.now() {
                    return;
                }
                let mark = self.last_carrier_id();
                if matches!(op, Op::Cancel { .. }) {
                    self.engine()
                        .set_appointment_status(
                            id,
                            AppointmentStatus::Cancelled,
                            WriteSource::Ui,
                            "desk",
                        )
                        .unwrap();
                    self.taken_back.push((id, None, mark));
                } else {
                    let start = a.starts_at + Duration::minutes(95);
                    self.engine()
                        .update_appointment(
                            id,
                            &AppointmentInput {
                                client_id: a.client_id,
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
                    self.taken_back.push((id, Some(a.starts_at), mark));
                }
            }
            Op::NewPhone { client } => {
                let detail = self.engine().client_detail(self.clients[client]).unwrap();
                self.next_phone += 1;
                let mark = self.last_carrier_id();
                self.engine()
                    .update_client(
                        self.clients[client],
                        &ClientInput {
                            name: detail.client.name.clone(),
                            phone: format!("07400 {:06}", self.next_phone),
                            ..ClientInput::default()
                        },
                        WriteSource::Ui,
                        "desk",
                    )
                    .unwrap();
                self.old_numbers.push((detail.client.phone, mark));
            }
            Op::Pause => {
                self.engine()
                    .pause_sending_by_user(WriteSource::Ui)
                    .unwrap();
            }
            Op::Resume => {
                self.engine().resume_sending(WriteSource::Ui).unwrap();
            }
            Op::Backup => {
                let made = self.engine().backup_now("manual").unwrap();
                self.backup = Some((made.path, self.last_carrier_id()));
            }
            Op::Restore => {
                let Some((path, at)) = self.backup.clone() else {
                    return;
                };
                self.clock.advance(Duration::seconds(1));
                self.rt
                    .block_on(
                        self.engine()
                            .restore(std::path::Path::new(&path), WriteSource::Ui),
                    )
                    .unwrap();
                // The desk's records are as they were at the backup: so are its numbers and
                // bookings (what was undone since may happen again).
                self.old_numbers.retain(|(_, mark)| *mark < at);
                self.taken_back.retain(|(_, _, mark)| *mark < at);
                self.refresh_appointments();
            }
        }
    }

    /// Tidings' messages, one line each, for a failure's report.
    fn dump(&self) -> String {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT id, status, rule_id, appointment_id, planned_for, provider_id,
                        substr(body, 1, 40), reason FROM messages ORDER BY id",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok(format!(
                "{} {} rule {:?} appt {:?} for {:?} {:?} {:?} {:?}",
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .join("\n")
    }

    /// The promises that hold after every step.
    fn check(&self, log: &[Op]) {
        let carrier = self.carrier();
        let reminders = self.reminder_bodies();
        let went: Vec<&Carried> = carrier
            .iter()
            .filter(|c| c.outbound && !c.canceled)
            .collect();
        // No reminder twice: each reminder text Tidings wrote reached the carrier at most once.
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for (_, _, to, body) in &reminders {
            seen.insert((to.as_str(), body.as_str()), 0);
        }
        for c in &went {
            if let Some(n) = seen.get_mut(&(c.number.as_str(), c.body.as_str())) {
                *n += 1;
                if *n > 1 {
                    eprintln!("{}\n{carrier:#?}", self.dump());
                }
                assert!(*n <= 1, "sent twice: {:?}\nafter {log:#?}", c);
            }
        }
        // Nothing after a STOP but its confirmation, until a YES.
        for c in &went {
            if c.body.starts_with(&self.opt_out_body) {
                continue;
            }
            let last_word = carrier
                .iter()
                .filter(|r| !r.outbound && r.number == c.number && r.id < c.id)
                .map(|r| r.body.as_str())
                .next_back();
            assert_ne!(
                last_word,
                Some("STOP"),
                "texted after STOP: {c:?}\nafter {log:#?}"
            );
        }
        // Nothing to a number its client no longer has.
        for (number, mark) in &self.old_numbers {
            if let Some(c) = went.iter().find(|c| c.id > *mark && &c.number == number) {
                panic!("texted an old number: {c:?}\nafter {log:#?}");
            }
        }
        // No reminder of an appointment after it was cancelled or moved from that time.
        for (appointment, from, mark) in &self.taken_back {
            let stale: Vec<&str> = reminders
                .iter()
                .filter(|(a, planned, ..)| {
                    a == appointment
                        && from.is_none_or(|t| {
                            planned
                                .as_deref()
                                .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
                                == Some(t.into())
                        })
                })
                .map(|(.., body)| body.as_str())
                .collect();
            if let Some(c) = went
                .iter()
                .find(|c| c.id > *mark && stale.contains(&c.body.as_str()))
            {
                panic!("a reminder went after it was taken back: {c:?}\nafter {log:#?}");
            }
        }
    }

    /// Faults gone, sending on, a few clean passes: every text is accounted for.
    fn settle(&mut self, log: &[Op]) {
        self.faults.lock().unwrap().clear();
        self.engine().resume_sending(WriteSource::Ui).unwrap();
        for _ in 0..6 {
            self.clock.advance(Duration::minutes(2));
            self.apply(&Op::Tick { kill_after: None });
            self.check(log);
        }
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let sending: i64 = conn
            .query_row(
                "SELECT count(*) FROM messages WHERE status = 'sending'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(sending, 0, "left sending\nafter {log:#?}");
        let silent: i64 = conn
            .query_row(
                "SELECT count(*) FROM messages
                 WHERE status IN ('suppressed', 'cancelled', 'failed') AND coalesce(reason, '') = ''",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            silent, 0,
            "a text did not go and says nothing\nafter {log:#?}"
        );
        // Every upcoming appointment has each rule's reminder decided for its current time:
        // planned, sent, or not sent with a reason.
        let undecided: Vec<(i64, i64)> = conn
            .prepare(
                "SELECT a.id, r.id FROM appointments a CROSS JOIN reminder_rules r
                 WHERE r.enabled = 1 AND a.status IN ('booked', 'confirmed', 'reschedule_requested')
                   AND a.starts_at > ?1
                   AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.appointment_id = a.id
                                   AND m.rule_id = r.id AND m.planned_for = a.starts_at)",
            )
            .unwrap()
            .query_map([tidings_store::stamp(self.clock.now())], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            undecided.is_empty(),
            "reminders never planned for (appointment, rule) {undecided:?}\n{}\nafter {log:#?}",
            self.dump()
        );
        for c in self.carrier().iter().filter(|c| c.outbound) {
            let rows: i64 = conn
                .query_row(
                    "SELECT count(*) FROM messages WHERE provider_id = ?1",
                    [&c.provider_id],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(
                rows, 1,
                "carrier text not accounted for: {c:?}\nafter {log:#?}"
            );
        }
    }
}

/// CI runs the same cases every time (a fixed seed), so a red run is this change's doing;
/// `TIDINGS_MODEL_SEED=random` (or a number) and `TIDINGS_MODEL_CASES` explore further.
fn seed() -> proptest::test_runner::RngSeed {
    match std::env::var("TIDINGS_MODEL_SEED").ok().as_deref() {
        Some("random") => proptest::test_runner::RngSeed::Random,
        Some(n) => proptest::test_runner::RngSeed::Fixed(n.parse().unwrap_or(20_261_206)),
        None => proptest::test_runner::RngSeed::Fixed(20_261_206),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("TIDINGS_MODEL_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        rng_seed: seed(),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_text_twice_none_after_its_stop_none_lost(ops in proptest::collection::vec(op(), 1..48)) {
        let mut world = World::new();
        for (i, op) in ops.iter().enumerate() {
            world.apply(op);
            world.check(&ops[..=i]);
        }
        world.settle(&ops);
    }
}

fn run_ops(ops: &[Op]) {
    let mut world = World::new();
    for (i, op) in ops.iter().enumerate() {
        world.apply(op);
        world.check(&ops[..=i]);
    }
    world.settle(ops);
}

/// A send whose answer was lost, the process stopped, then a restore to before that booking.
#[test]
fn a_restore_after_a_lost_answer_and_a_stopped_process() {
    run_ops(&[
        Op::Pass { minutes: 86 },
        Op::Book {
            client: 2,
            hours: 20,
        },
        Op::Move { nth: 0 },
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Yes { client: 2 },
        Op::Backup,
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Fault(Fault::AnswerLost),
        Op::Resume,
        Op::Tick {
            kill_after: Some(3),
        },
        Op::Restore,
    ]);
}

/// An appointment moved while its reminder's send had no clear answer: the move used to fail
/// (one live reminder per rule); the new time is planned once the old send is settled.
#[test]
fn moving_an_appointment_while_its_reminder_is_unclear() {
    run_ops(&[
        Op::Pass { minutes: 286 },
        Op::Fault(Fault::AnswerLost),
        Op::Book {
            client: 0,
            hours: 23,
        },
        Op::Pass { minutes: 341 },
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Tick { kill_after: None },
        Op::Fault(Fault::AnswerLost),
        Op::Move { nth: 0 },
    ]);
}

/// Restoring the same backup twice, the second time with reminders claimed by a pass that was
/// stopped dead: the restored plan used to clash with the reminders on their way.
#[test]
fn restoring_twice_over_reminders_on_their_way() {
    let mut ops = vec![Op::Pass { minutes: 90 }];
    ops.extend((0..3).map(|_| Op::Book {
        client: 0,
        hours: 20,
    }));
    ops.push(Op::Pass { minutes: 843 });
    ops.extend((0..5).map(|_| Op::Book {
        client: 0,
        hours: 20,
    }));
    ops.extend([
        Op::Backup,
        Op::Pass { minutes: 447 },
        Op::Restore,
        Op::Tick {
            kill_after: Some(2),
        },
        Op::Restore,
    ]);
    run_ops(&ops);
}

/// A STOP and then a YES after the backup, a reminder sent in between, then a restore: the
/// restored plan still had that reminder waiting, and used to send it again.
#[test]
fn a_restore_after_a_reminder_went_does_not_send_it_again() {
    run_ops(&[
        Op::Book {
            client: 2,
            hours: 35,
        },
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Backup,
        Op::Stop { client: 2 },
        Op::Pass { minutes: 582 },
        Op::Pass { minutes: 798 },
        Op::Yes { client: 2 },
        Op::Tick { kill_after: None },
        Op::Restore,
    ]);
}

/// A reminder whose answer was lost, its appointment moved, then the client's STOP: the new
/// time's reminder must still be decided (here: not sent, because they opted out).
#[test]
fn a_move_while_unclear_then_a_stop_leaves_nothing_undecided() {
    run_ops(&[
        Op::Book {
            client: 0,
            hours: 32,
        },
        Op::Pass { minutes: 88 },
        Op::Fault(Fault::AnswerLost),
        Op::Fault(Fault::NeverArrived),
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Stop { client: 1 },
        Op::Pass { minutes: 148 },
        Op::Pass { minutes: 314 },
        Op::Pass { minutes: 830 },
        Op::Tick { kill_after: None },
        Op::Move { nth: 0 },
        Op::Stop { client: 0 },
    ]);
}
