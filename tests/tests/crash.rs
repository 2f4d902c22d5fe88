//! Crash safety (DESIGN invariant 3): a `tidings-cli tick` dispatching 1,000 reminders to a
//! local Twilio stand-in is killed with SIGKILL at random points, again and again, then left
//! to finish. Every reminder must reach "Twilio" exactly once; none may be lost.
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
use tidings_e2e::twilio_fake::{FakeTwilio, ACCOUNT_SID, API_KEY_SID};
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

/// `tidings-cli`, built next to this test binary (`cargo build -p tidings-cli`).
fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let cli = debug.join("tidings-cli");
    assert!(
        cli.exists(),
        "{} is missing: run `cargo build -p tidings-cli` first (the README's test command does)",
        cli.display()
    );
    cli
}

fn phone(i: usize) -> String {
    format!("+1415555{:04}", 1000 + i)
}

async fn prepare(db: &std::path::Path, twilio: &FakeTwilio) {
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
            },
            WriteSource::Ui,
            "test",
        )
        .unwrap();
    engine
        .update_settings(
            &SettingsUpdate {
                send_rate_per_second: Some(100),
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
                base_url: Some(twilio.uri()),
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
    let mut command = Command::new(cli);
    command
        .arg("--db")
        .arg(db)
        .arg("--now")
        .arg("2027-03-02T15:00:00Z")
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
    let twilio = FakeTwilio::start_with_clock(Arc::new(|| utc(2, 15))).await;
    prepare(&db, &twilio).await;

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
    // Left alone, the rest goes out.
    for _ in 0..10 {
        let out = tick(&cli, &db).output().unwrap();
        assert!(
            out.status.success(),
            "tick failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if twilio.accepted().len() >= MESSAGES {
            break;
        }
    }

    let accepted = twilio.accepted();
    let mut per_number: HashMap<&str, usize> = HashMap::new();
    for m in &accepted {
        *per_number.entry(m.to.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = per_number.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(accepted.len(), MESSAGES, "every reminder sent once");

    let conn = rusqlite::Connection::open(&db).unwrap();
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
    println!(
        "crash test: {ROUNDS} rounds, {killed} killed mid-run, {mid} accepted before the final run, {} accepted in all, 0 duplicates, 0 lost, {:.1} s",
        accepted.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed >= ROUNDS / 2,
        "most rounds must actually be killed ({killed})"
    );
}
