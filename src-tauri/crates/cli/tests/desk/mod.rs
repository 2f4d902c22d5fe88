//! Running the real `tidings-cli` binary against a database file at a pinned moment.

// Each test file uses its own share of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The moment every command runs at unless it passes its own `--now`: no test reads the
/// computer's clock.
pub const PINNED_NOW: &str = "2027-03-01T12:00:00Z";

pub fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tidings-cli"))
        .env("TIDINGS_NOW", PINNED_NOW)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("../../../tests/fixtures")
        .join(name)
}

pub fn set_up_desk(db: &Path, business_name: &str, timezone: &str, phone_region: &str) {
    for (key, value) in [
        ("business_name", business_name),
        ("timezone", timezone),
        ("phone_region", phone_region),
    ] {
        assert!(cli(db, &["settings", "set", key, value]).status.success());
    }
}
