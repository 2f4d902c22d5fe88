//! Never twice, never lost (DESIGN invariants 3 and 4), with real processes on one database
//! file and a local Twilio stand-in whose message list lags as Twilio's does:
//! - a `tidings-cli tick` dispatching 1,000 reminders is killed with SIGKILL at random points,
//!   again and again, then left to finish;
//! - three `tidings-cli tick` processes start 0.3 s apart on the same 1,000 reminders (the app
//!   and a scheduled command-line tick are the same thing);
//! - flaky Wi-Fi: 30% of creates reach Twilio but their answer is cut off, and 5% are cut
//!   before they reach it.
//!
//! In each, every reminder must reach "Twilio" exactly once; none may be lost.
//!
//! Uses the real OS keyring for the Twilio secret (the CI runs it inside its own D-Bus session
//! with an unlocked GNOME Keyring).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use tidings_e2e::cli_binary;
use tidings_e2e::twilio_fake::{CuttingProxy, FakeTwilio, ACCOUNT_SID, API_KEY_SID};
use tidings_engine::domain::{
    AppointmentInput, ClientInput, ConsentAction, ConsentChannel, ConsentInput, Purpose,
    SettingsUpdate, SetupInput, TwilioInput, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, Preset};

const MESSAGES: usize = 1000;
const ROUNDS: usize = 20;

fn utc(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, d, h, 0, 0).unwrap()
}

fn phone(i: usize) -> String {
    format!("+1415555{:04}", 1000 + i)
}

/// How long the stand-in's list takes to show a text it took.
const LIST_LAG: Duration = Duration::from_millis(300);
/// How long Tidings gives the list before "not there" counts (the desk's setting; Twilio's
/// own figure is 20 s).
const RECORDS_LAG_SECONDS: u32 = 1;

/// A Twilio stand-in whose clock agrees with the app's `--now` and whose list lags.
async fn twilio() -> FakeTwilio {
    FakeTwilio::start_with(Arc::new(|| utc(2, 15)), LIST_LAG).await
}

async fn prepare(db: &std::path::Path, twilio_uri: &str) {
    prepare_with(db, twilio_uri, RECORDS_LAG_SECONDS).await
}

/// 1,000 clients with consent, each booked so one reminder is due at 15:00 on 2 March, with
/// Twilio connected at `twilio_uri` and `records_lag` seconds' wait for its list.
async fn prepare_with(db: &std::path::Path, twilio_uri: &str, records_lag: u32) {
    let engine = Engine::open(EngineConfig {
        db_path: db.to_owned(),
        clock: Arc::new(FixedClock::new(utc(1, 15))),
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
            "test",
        )
        .unwrap();
    engine
        .update_settings(
            &SettingsUpdate {
                send_rate_per_second: Some(100),
                provider_records_lag_seconds: Some(records_lag),
                ..SettingsUpdate::default()
            },
            WriteSource::Ui,
            "test",
        )
        .unwrap();
    engine
        .apply_preset(Preset::Light, WriteSource::Ui, "test")
        .unwrap();
    for i in 0..MESSAGES {
        let client = engine
            .create_client(
                &ClientInput {
                    name: format!("Client {i}"),
                    phone: phone(i),
                    ..ClientInput::default()
                },
                WriteSource::Import,
                "test",
            )
            .unwrap();
        engine
            .record_consent(
                &ConsentInput {
                    client_id: client.id,
                    purpose: Purpose::Service,
                    action: ConsentAction::Granted,
                    channel: ConsentChannel::PaperForm,
                    recorded_by: "test".into(),
                    occurred_at: None,
                    evidence: None,
                },
                WriteSource::Import,
            )
            .unwrap();
        engine
            .create_appointment(
                &AppointmentInput {
                    client_id: client.id,
                    starts_at: utc(3, 15),
                    ends_at: utc(3, 16),
                    service_id: None,
                    staff_id: None,
                    location: None,
                    notes: None,
                },
                WriteSource::Import,
                "test",
            )
            .unwrap();
    }
    engine
        .connect_twilio(
            &TwilioInput {
                account_sid: ACCOUNT_SID.into(),
                api_key_sid: Some(API_KEY_SID.into()),
                from_number: Some("+14155550100".into()),
                messaging_service_sid: None,
                base_url: Some(twilio_uri.to_owned()),
                secret: "crash-test-secret".into(),
            },
            WriteSource::Ui,
            "test",
        )
        .await
        .unwrap_or_else(|e| {
            panic!("connecting the Twilio stand-in failed (is a keyring running?): {e}")
        });
}

fn tick(cli: &PathBuf, db: &std::path::Path) -> Command {
    tick_at(cli, db, 0)
}

/// A tick `minutes` after the reminders fell due (retries come due as the minutes pass).
fn tick_at(cli: &PathBuf, db: &std::path::Path, minutes: u32) -> Command {
    let mut command = Command::new(cli);
    command
        .arg("--db")
        .arg(db)
        .arg("--now")
        .arg(format!("2027-03-02T15:{minutes:02}:00Z"))
        .arg("--json")
        .arg("tick")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_dispatch_over_and_over_every_reminder_is_sent_exactly_once() {
    let cli = cli_binary();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    // Twilio's clock agrees with the app's (both at the --now time).
    let twilio = twilio().await;
    prepare(&db, &twilio.uri()).await;

    let started = Instant::now();
    let mut killed = 0;
    for _ in 0..ROUNDS {
        let mut child = tick(&cli, &db).spawn().unwrap();
        // Somewhere between start-up and well into the batch: 150–1,150 ms, differently
        // every run.
        let wait = Duration::from_millis(150 + fastrand::u64(0..1000));
        tokio::time::sleep(wait).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
    }
    let mid = twilio.accepted().len();
    finish(&cli, &db, &twilio, 0).await;
    assert_each_sent_once(&twilio, &db);
    println!(
        "crash test: {ROUNDS} rounds, {killed} killed mid-run, {mid} accepted before the final run, {} accepted in all, 0 duplicates, 0 lost, {:.1} s",
        twilio.accepted().len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed >= ROUNDS / 2,
        "most rounds must actually be killed ({killed})"
    );
}

/// Left alone, the rest goes out: ticks (at most 15, from `minutes` on, a minute apart on the
/// app's clock and a little over the records lag apart in real time) until every reminder has
/// reached the stand-in and nothing is left waiting for an answer.
async fn finish(cli: &PathBuf, db: &std::path::Path, twilio: &FakeTwilio, minutes: u32) {
    for round in 0..15 {
        let out = tick_at(cli, db, minutes + round).output().unwrap();
        assert!(
            out.status.success(),
            "tick failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if twilio.accepted().len() >= MESSAGES && unsettled(db) == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(
            u64::from(RECORDS_LAG_SECONDS) * 1000 + 200,
        ))
        .await;
    }
}

/// Texts left `sending` (claimed, or waiting for the provider's records).
fn unsettled(db: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*) FROM messages WHERE status = 'sending'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Every reminder reached the stand-in exactly once and is settled with its provider id.
fn assert_each_sent_once(twilio: &FakeTwilio, db: &std::path::Path) {
    let accepted = twilio.accepted();
    let mut per_number: HashMap<&str, usize> = HashMap::new();
    for m in &accepted {
        *per_number.entry(m.to.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = per_number.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(accepted.len(), MESSAGES, "every reminder sent once");

    let conn = rusqlite::Connection::open(db).unwrap();
    let settled: i64 = conn
        .query_row(
            "SELECT count(*) FROM messages WHERE rule_id IS NOT NULL
               AND status IN ('sent', 'delivered') AND provider_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        settled as usize, MESSAGES,
        "every row settled with its provider id"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn three_senders_on_one_database_send_every_reminder_exactly_once() {
    let cli = cli_binary();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    // No wait for Twilio's list, which shows a text the moment it takes it: so a sender that
    // mistook another's claim in flight for an orphan would resend it at once. Only the
    // sender lease keeps them apart.
    let twilio = FakeTwilio::start_with_clock(Arc::new(|| utc(2, 15))).await;
    prepare_with(&db, &twilio.uri(), 0).await;

    let started = Instant::now();
    let mut children = Vec::new();
    for i in 0..3 {
        if i > 0 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        children.push(tick(&cli, &db).spawn().unwrap());
    }
    let mut failed = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            failed.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
    }
    assert!(failed.is_empty(), "a tick failed: {failed:?}");
    let together = twilio.accepted().len();
    finish(&cli, &db, &twilio, 0).await;
    assert_each_sent_once(&twilio, &db);
    println!(
        "three senders: {together} accepted while the three ran together, {} in all, 0 duplicates, 0 lost, {:.1} s",
        twilio.accepted().len(),
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn creates_cut_off_before_or_after_twilio_took_them_send_every_reminder_exactly_once() {
    let cli = cli_binary();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let twilio = twilio().await;
    let seed = fastrand::u64(..);
    let proxy = CuttingProxy::start(&twilio.uri(), 0.3, 0.05, seed).await;
    prepare(&db, &proxy.uri()).await;

    let started = Instant::now();
    finish(&cli, &db, &twilio, 0).await;
    assert_each_sent_once(&twilio, &db);
    let (after, before) = proxy.cut();
    println!(
        "cut connections (seed {seed}): {after} answers cut after Twilio took the text, {before} requests cut before it got there, {} accepted, 0 duplicates, 0 lost, {:.1} s",
        twilio.accepted().len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        after >= 200 && before >= 20,
        "the connection must really be cut often ({after} after, {before} before)"
    );
}
