//! The world a run of the model test lives in: a desk with three clients on the Standard preset,
//! its Sandbox carrier's records (the truth of what was sent), and what the desk did; the
//! promises are checked against them after every step and once the run settles.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    Purpose, SetupInput, WriteSource,
};
use tidings_engine::{Clock, Engine, EngineConfig, FixedClock, Preset};

use super::{Budget, Fault, Network, Op, CLIENTS};

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

pub struct World {
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
    pub fn new() -> Self {
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

    pub fn apply(&mut self, op: &Op) {
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
    pub fn check(&self, log: &[Op]) {
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
    pub fn settle(&mut self, log: &[Op]) {
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
