//! The real `tidings-cli` binary against a real database file: the command line itself,
//! settings, clients and consent, backups and restores. Appointments and texts are in
//! `cli_appointments.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod desk;

use std::path::Path;
use std::process::Command;

use desk::{cli, fixture, json, set_up_desk, PINNED_NOW};

#[test]
fn a_reader_that_went_away_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    // `tidings-cli doctor --json | head -0`, deterministically: the pipe's only reader is
    // closed before the command writes anything.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_tidings-cli"))
        .env("TIDINGS_NOW", PINNED_NOW)
        .args(["--db", db.to_str().unwrap(), "doctor", "--json"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert_eq!(stderr, "", "no panic, no backtrace, no message");
    assert!(db.exists(), "the command still did its work");
}

#[test]
fn version_names_the_release_the_build_and_its_profile() {
    let out = Command::new(env!("CARGO_BIN_EXE_tidings-cli"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        line.trim_end(),
        format!("tidings-cli {}", tidings_engine::about::VERSION_LINE)
    );
    // The same words as the app's About: version, commit, profile.
    assert!(line.contains(tidings_engine::about::BUILD), "{line}");
    assert!(line.contains(env!("CARGO_PKG_VERSION")), "{line}");

    let dir = tempfile::tempdir().unwrap();
    let doctor = json(&cli(&dir.path().join("t.sqlite3"), &["doctor", "--json"]));
    assert_eq!(doctor["version"], tidings_engine::about::VERSION);
    assert_eq!(doctor["build"], tidings_engine::about::BUILD);
    assert_eq!(doctor["profile"], tidings_engine::about::PROFILE);
}

#[test]
fn doctor_json_reports_schema_version_and_provider() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk/tidings.sqlite3");
    let out = cli(&db, &["doctor", "--json"]);
    assert!(out.status.success());
    let report = json(&out);
    assert!(report["schema_version"].as_u64().unwrap() >= 1);
    assert_eq!(report["schema_version"], report["schema_version_supported"]);
    assert_eq!(report["provider"], "sandbox");
    assert_eq!(report["db_path"], db.display().to_string());
    assert!(db.exists());
}

#[test]
fn settings_set_changes_one_value_and_show_reads_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let out = cli(
        &db,
        &["settings", "set", "timezone", "America/Chicago", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["timezone"], "America/Chicago");

    let out = cli(&db, &["settings", "set", "quiet_hours", "20:30-07:00"]);
    assert!(out.status.success());

    let shown = json(&cli(&db, &["settings", "show", "--json"]));
    assert_eq!(shown["timezone"], "America/Chicago");
    assert_eq!(shown["quiet_hours"]["start"], "20:30");
    assert_eq!(shown["quiet_hours"]["end"], "07:00");
}

#[test]
fn a_bad_value_exits_non_zero_with_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let before = json(&cli(&db, &["settings", "show", "--json"]));

    let out = cli(&db, &["settings", "set", "timezone", "Moon/Base", "--json"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("Moon/Base"));
    assert_eq!(json(&out)["error"]["code"], "invalid_input");

    let out = cli(&db, &["settings", "set", "colour", "blue"]);
    assert!(!out.status.success());
    assert_eq!(json(&cli(&db, &["settings", "show", "--json"])), before);
}

#[test]
fn a_damaged_database_is_reported_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    std::fs::write(&db, b"this is a note, not a database").unwrap();
    let out = cli(&db, &["doctor", "--json"]);
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["code"], "database_corrupt");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"this is a note, not a database"
    );
}

#[test]
fn import_then_show_gives_the_e164_number_and_consent_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    set_up_desk(&db, "Harbour Hair", "Europe/London", "GB");
    let file = fixture("clients-messy.csv");
    let file = file.to_str().unwrap();

    let dry = json(&cli(
        &db,
        &["import", "clients", file, "--dry-run", "--json"],
    ));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["imported"], 4);
    let listed = json(&cli(&db, &["clients", "list", "--json"]));
    assert_eq!(
        listed.as_array().unwrap().len(),
        0,
        "a dry run writes nothing"
    );

    let out = cli(
        &db,
        &[
            "import",
            "clients",
            file,
            "--json",
            "--consent",
            "service",
            "--consent-source",
            "Paper intake forms",
            "--consent-date",
            "2026-03-01",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["imported"], 4);
    assert_eq!(report["skipped"].as_array().unwrap().len(), 6);
    assert_eq!(
        report["skipped"][0],
        serde_json::json!({"row": 5, "reason": "no phone number"})
    );
    assert_eq!(report["consent_recorded"], 4);

    let shown = json(&cli(&db, &["clients", "show", "07400 123002", "--json"]));
    assert_eq!(shown["phone"], "+447400123002");
    assert_eq!(shown["name"], "Bo Diaz");
    assert_eq!(shown["consent"]["service"], "granted");
    assert_eq!(shown["consent"]["marketing"], "none");
    assert_eq!(shown["ledger"][0]["channel"], "import");

    // Revoke from the command line; the export shows both events.
    let out = cli(
        &db,
        &[
            "consent",
            "revoke",
            "+44 7400 123002",
            "--purpose",
            "service",
            "--channel",
            "front_desk_verbal",
            "--by",
            "Sam",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = json(&cli(&db, &["clients", "show", "07400123002", "--json"]));
    assert_eq!(shown["consent"]["service"], "revoked");
    let export =
        String::from_utf8(cli(&db, &["consent", "export", "07400 123002"]).stdout).unwrap();
    assert_eq!(export.lines().count(), 3, "{export}");
    assert!(export.lines().nth(2).unwrap().contains("revoked"));
}

#[test]
fn an_unknown_number_or_channel_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    set_up_desk(&db, "Harbour Hair", "Europe/London", "GB");
    let out = cli(&db, &["clients", "show", "07400 999999", "--json"]);
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["code"], "not_found");

    let out = cli(&db, &["import", "clients", "/nonexistent/file.csv"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Can't read"));
}

#[test]
fn backup_writes_a_verified_copy_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    assert!(cli(&db, &["settings", "set", "business_name", "Quay"])
        .status
        .success());
    let target = dir.path().join("copy.sqlite3");
    let out = json(&cli(&db, &["backup", target.to_str().unwrap(), "--json"]));
    assert_eq!(out["verified"], true);
    assert!(out["bytes"].as_u64().unwrap() > 0);
    let copy = settings_in(&target);
    assert!(copy.contains("Quay"));

    let again = cli(&db, &["backup", target.to_str().unwrap()]);
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("already exists") && !said.contains("data folder"),
        "{said}"
    );
}

/// The settings row of a backup, read with the CLI itself pointed at the copy.
fn settings_in(copy: &Path) -> String {
    String::from_utf8(cli(copy, &["settings", "show", "--json"]).stdout).unwrap()
}

#[test]
fn restore_brings_back_what_the_backup_held() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    assert!(cli(&db, &["settings", "set", "business_name", "Quay"])
        .status
        .success());
    let copy = dir.path().join("copy.sqlite3");
    assert!(cli(&db, &["backup", copy.to_str().unwrap()])
        .status
        .success());
    assert!(cli(&db, &["settings", "set", "business_name", "Wrong"])
        .status
        .success());

    let out = cli(&db, &["restore", copy.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(json(&out)["safety_backup"]["verified"].as_bool().unwrap());
    assert_eq!(
        json(&cli(&db, &["settings", "show", "--json"]))["business_name"],
        "Quay"
    );

    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, b"junk").unwrap();
    let out = cli(&db, &["restore", junk.to_str().unwrap(), "--json"]);
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["code"], "database_corrupt");
}

#[test]
fn a_client_list_cut_at_its_limit_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    set_up_desk(&db, "Harbour Hair", "Europe/London", "GB");
    let mut file = String::from("Name,Mobile\n");
    for i in 0..501 {
        file.push_str(&format!("Client {i:03},07400 2{i:05}\n"));
    }
    let path = dir.path().join("clients.csv");
    std::fs::write(&path, file).unwrap();
    assert!(cli(&db, &["import", "clients", path.to_str().unwrap()])
        .status
        .success());
    let out = cli(&db, &["clients", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().count(),
        501,
        "500 clients and the line saying so"
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains("the first 500 clients only"),
        "{}",
        text.lines().last().unwrap()
    );
    let found = cli(&db, &["clients", "list", "--search", "Client 500"]);
    let found = String::from_utf8_lossy(&found.stdout);
    assert_eq!(found.lines().count(), 1, "{found}");
}
