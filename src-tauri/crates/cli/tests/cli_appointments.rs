//! The real `tidings-cli` binary against a real database file, with appointments: importing
//! them (CSV, ICS, `--map`, folder feeds), listing them, and the texts about them (presets,
//! plan, tick, notices, the Sandbox phone).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod desk;

use std::path::Path;

use desk::{cli, fixture, json, set_up_desk};

#[test]
fn appointments_import_and_list_in_the_business_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    set_up_desk(&db, "Quay Clinic", "America/New_York", "US");
    let file = fixture("appointments.ics");
    let file = file.to_str().unwrap();
    let now = ["--now", "2027-03-01T12:00:00Z"];

    let dry = json(&cli(
        &db,
        &[
            &now[..],
            &["import", "appointments", file, "--dry-run", "--json"],
        ]
        .concat(),
    ));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["created"], 5);

    let out = cli(
        &db,
        &[&now[..], &["import", "appointments", file, "--json"]].concat(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["created"], 5);
    assert_eq!(report["no_client"][0]["row"], 6);

    let list = json(&cli(
        &db,
        &[
            &now[..],
            &[
                "appointments",
                "list",
                "--from",
                "2027-03-14",
                "--to",
                "2027-03-15",
                "--json",
            ],
        ]
        .concat(),
    ));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["starts_at"], "2027-03-14T13:00:00Z");
    assert_eq!(list[0]["client_phone"], "+14155552671");

    let out = cli(&db, &["appointments", "list", "--from", "14 March"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn segments_preset_plan_and_tick_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let out = json(&cli(
        &db,
        &["segments", "It’s at 10:00 – see you", "--json"],
    ));
    assert_eq!(out["encoding"], "UCS-2");
    assert_eq!(out["segments"], 1);
    assert_eq!(out["non_gsm"], serde_json::json!(["’", "–"]));
    let plain = json(&cli(&db, &["segments", &"a".repeat(161), "--json"]));
    assert_eq!(plain["encoding"], "GSM-7");
    assert_eq!(plain["segments"], 2);

    set_up_desk(&db, "Quay Clinic", "America/New_York", "US");
    let now = ["--now", "2027-03-01T12:00:00Z"];
    let rules = json(&cli(
        &db,
        &[&now[..], &["reminders", "preset", "standard", "--json"]].concat(),
    ));
    assert_eq!(rules.as_array().unwrap().len(), 2);
    let file = fixture("appointments.ics");
    assert!(cli(
        &db,
        &[
            &now[..],
            &["import", "appointments", file.to_str().unwrap()]
        ]
        .concat()
    )
    .status
    .success());
    assert!(cli(
        &db,
        &[
            "consent",
            "grant",
            "+14155552671",
            "--purpose",
            "service",
            "--channel",
            "paper_form",
            "--by",
            "Sam"
        ]
    )
    .status
    .success());

    let plan = json(&cli(&db, &[&now[..], &["plan", "--json"]].concat()));
    let ann: Vec<&serde_json::Value> = plan
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == "+14155552671" && m["status"] == "planned")
        .collect();
    assert_eq!(ann.len(), 2, "{plan}");
    // Offsets are exact durations: 24 h before 09:00 EDT on the spring-forward Sunday is
    // 08:00 EST on Saturday (13:00 UTC), the first allowed minute.
    assert_eq!(ann[0]["send_at"], "2027-03-13T13:00:00Z");

    let tick = json(&cli(
        &db,
        &["--now", "2027-03-13T13:00:00Z", "tick", "--json"],
    ));
    assert_eq!(tick["sent"].as_array().unwrap().len(), 1, "{tick}");
    assert_eq!(tick["sent"][0]["to"], "+14155552671");
    // Clients without consent are suppressed with a reason, never sent; reminders that fell
    // due while nothing ran (the earlier weekly visits) are missed, not sent late.
    let reasons: Vec<&str> = tick["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"missed_while_closed"), "{reasons:?}");
    assert!(
        reasons
            .iter()
            .all(|r| *r == "no_consent" || *r == "missed_while_closed"),
        "{reasons:?}"
    );
    let again = json(&cli(
        &db,
        &["--now", "2027-03-13T13:00:00Z", "tick", "--json"],
    ));
    assert!(again["sent"].as_array().unwrap().is_empty(), "never twice");

    // A day-wide notice: the dry run says who gets it and why the others do not.
    let later = ["--now", "2027-03-13T14:00:00Z"];
    let text = "Quay Clinic: closed Sunday, sorry. Reply 1 to pick a new time.";
    let dry = json(&cli(
        &db,
        &[
            &later[..],
            &[
                "notice",
                "--date",
                "2027-03-14",
                "--dry-run",
                "--json",
                text,
            ],
        ]
        .concat(),
    ));
    let recipients = dry["recipients"].as_array().unwrap();
    assert!(!recipients.is_empty(), "{dry}");
    let gets: Vec<&serde_json::Value> = recipients
        .iter()
        .filter(|r| r["excluded"].is_null())
        .collect();
    assert_eq!(gets.len(), 1, "{dry}");
    assert_eq!(gets[0]["phone"], "+14155552671");
    assert!(recipients
        .iter()
        .filter(|r| !r["excluded"].is_null())
        .all(|r| r["excluded"] == "no_consent"));
    let sent = json(&cli(
        &db,
        &[
            &later[..],
            &["notice", "--date", "2027-03-14", "--json", text],
        ]
        .concat(),
    ));
    assert_eq!(sent["notice"]["sent"], 1, "{sent}");
    let nobody = cli(
        &db,
        &[&later[..], &["notice", "--date", "2027-04-30", text]].concat(),
    );
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no booked appointments"));

    // A status update about one appointment.
    let appointment = ann[0]["appointment_id"].as_i64().unwrap().to_string();
    let update = json(&cli(
        &db,
        &[
            "--now",
            "2027-03-14T12:40:00Z",
            "update",
            &appointment,
            "update_running_late",
            "--minutes",
            "15",
            "--json",
        ],
    ));
    assert_eq!(update["status"], "delivered", "{update}");
    assert!(update["body"]
        .as_str()
        .unwrap()
        .contains("about 15 minutes late"));

    // A mistyped ready update is refused, never texted as it was typed; minutes go only with
    // running late.
    let now = ["--now", "2027-03-14T12:45:00Z", "update", &appointment];
    let typo = cli(
        &db,
        &[&now[..], &["update_runing_late", "--minutes", "10"]].concat(),
    );
    assert_eq!(typo.status.code(), Some(1));
    let said = String::from_utf8_lossy(&typo.stderr);
    assert!(
        said.contains("no ready update called \"update_runing_late\"")
            && said.contains("update_running_late"),
        "{said}"
    );
    let minutes = cli(
        &db,
        &[&now[..], &["Running a bit late", "--minutes", "10"]].concat(),
    );
    assert_eq!(minutes.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&minutes.stderr).contains("--minutes goes only with"));
}

#[test]
fn the_sandbox_phone_answers_as_a_customer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    set_up_desk(&db, "Quay", "Europe/London", "GB");
    let file = fixture("clients-messy.csv");
    assert!(cli(
        &db,
        &[
            "import",
            "clients",
            file.to_str().unwrap(),
            "--consent",
            "service",
            "--consent-source",
            "Forms",
            "--consent-date",
            "2026-03-01"
        ]
    )
    .status
    .success());
    let out = json(&cli(
        &db,
        &[
            "sandbox",
            "receive",
            "--from",
            "07400 123001",
            "STOP",
            "--json",
        ],
    ));
    assert_eq!(out["received"].as_array().unwrap().len(), 1);
    let shown = json(&cli(&db, &["clients", "show", "07400 123001", "--json"]));
    assert_eq!(shown["consent"]["service"], "revoked");
    assert_eq!(
        shown["ledger"].as_array().unwrap().last().unwrap()["channel"],
        "sms_keyword"
    );
}

/// Columns a guess does not find are named with `--map`; lengths and dates past every bound
/// are a reason on their row, and the command still finishes (no panic, exit 0).
#[test]
fn import_maps_columns_by_header_and_never_panics_on_bad_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    set_up_desk(&db, "Peluquería Sol", "Europe/Madrid", "ES");
    let now = ["--now", "2027-03-01T12:00:00Z"];
    let csv = dir.path().join("agenda.csv");
    let text = "Cliente;Número del móvil;Fecha;Hora;Duración\r\n\
                José Núñez;612 345 678;14/03/2027;10:30;45\r\n\
                Ana Gil;612 345 679;14/03/2027;11:30;999999999999\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    std::fs::write(&csv, &bytes).unwrap();
    let csv = csv.to_str().unwrap();

    let guessed = json(&cli(
        &db,
        &[
            &now[..],
            &["import", "appointments", csv, "--dry-run", "--json"],
        ]
        .concat(),
    ));
    assert_eq!(guessed["created"], 0, "no column is a phone by its name");

    let out = cli(
        &db,
        &[
            &now[..],
            &[
                "import",
                "appointments",
                csv,
                "--map",
                "phone=Número del móvil",
                "--json",
            ],
        ]
        .concat(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["created"], 1);
    assert_eq!(report["skipped"][0]["row"], 3);
    assert!(report["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("longer than an appointment can be"));

    let wrong = cli(
        &db,
        &[
            &now[..],
            &["import", "appointments", csv, "--map", "phone=Mobile"],
        ]
        .concat(),
    );
    assert!(!wrong.status.success());
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        message.contains("the file has no column \"Mobile\""),
        "{message}"
    );
    assert!(message.contains("2 \"Número del móvil\""), "{message}");

    let ics = dir.path().join("broken.ics");
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20270310T150000Z\r\nDURATION:P100000000D\r\nSUMMARY:Corte - Eva 612 345 670\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let out = cli(
        &db,
        &[
            &now[..],
            &["import", "appointments", ics.to_str().unwrap(), "--json"],
        ]
        .concat(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(json(&out)["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("up to 24 hours"));
}

/// Writes a booking export into a feed folder as the booking system would, dated so the newest
/// is known without reading the computer's clock.
fn drop_export(folder: &Path, name: &str, day: u64, text: &str) {
    let file = folder.join(name);
    std::fs::write(&file, text).unwrap();
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800 + day * 86_400);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(at)
        .unwrap();
}

#[test]
fn a_folder_feed_reads_the_newest_export_and_cancels_what_left_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    set_up_desk(&db, "Quay Clinic", "America/New_York", "US");
    let folder = dir.path().join("Bookings");
    std::fs::create_dir(&folder).unwrap();
    let header = "Booking ID,Date,Start Time,End Time,Client,Mobile,Service,Staff,Status\n";
    drop_export(
        &folder,
        "export-1.csv",
        1,
        &format!(
            "{header}B100,03/14/2027,9:00 AM,10:00 AM,Ann Lee,(415) 555-2671,Cut,Sam,Booked\n\
             B101,03/15/2027,9:00 AM,10:00 AM,Bo Diaz,415-555-2673,Colour,Kim,Booked\n\
             B102,03/16/2027,9:00 AM,10:00 AM,Cy Eve,415 555 2674,Cut,Sam,Booked\n"
        ),
    );
    std::fs::write(folder.join("notes.txt"), "not an export").unwrap();

    let out = cli(&db, &["feed", "add", folder.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added = json(&out);
    assert_eq!(added["feed"]["name"], "Bookings");
    assert_eq!(added["feed"]["kind"], "csv_folder");
    assert_eq!(added["read"]["changes"]["created"], 3);
    assert_eq!(added["read"]["problem"], serde_json::Value::Null);
    let again = cli(&db, &["feed", "add", folder.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is already a feed"));

    // The next export moves Ann and no longer has Bo; the older file is still in the folder.
    drop_export(
        &folder,
        "export-2.csv",
        2,
        &format!(
            "{header}B100,03/14/2027,11:00 AM,12:00 PM,Ann Lee,(415) 555-2671,Cut,Sam,Booked\n\
             B102,03/16/2027,9:00 AM,10:00 AM,Cy Eve,415 555 2674,Cut,Sam,Booked\n"
        ),
    );
    let out = cli(&db, &["feed", "sync", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reads = json(&out);
    let changes = &reads[0]["changes"];
    assert_eq!(
        (
            &changes["created"],
            &changes["updated"],
            &changes["unchanged"],
            &changes["removed"]
        ),
        (
            &serde_json::json!(0),
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{reads}"
    );
    assert_eq!(reads[0]["removed"][0]["client_name"], "Bo Diaz");

    let listed = cli(
        &db,
        &[
            "appointments",
            "list",
            "--from",
            "2027-03-14",
            "--to",
            "2027-03-17",
            "--json",
        ],
    );
    let listed = json(&listed);
    let bo = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["client_name"] == "Bo Diaz")
        .unwrap();
    assert_eq!(bo["status"], "cancelled");
    assert_eq!(bo["status_note"], "removed from Bookings");

    let text = cli(&db, &["feed", "list"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("1  Bookings  ("), "{text}");
    // In the business's time: 12:00 UTC is 07:00 in New York in March.
    assert!(text.contains("last read: 2027-03-01 07:00"), "{text}");
    assert!(
        text.contains("0 new, 1 changed, 0 cancelled, 1 removed"),
        "{text}"
    );

    // A folder emptied out says so and changes nothing.
    std::fs::remove_file(folder.join("export-1.csv")).unwrap();
    std::fs::remove_file(folder.join("export-2.csv")).unwrap();
    let out = cli(&db, &["feed", "sync"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not read: There is no CSV or ICS file in"),
        "{text}"
    );

    let out = cli(&db, &["feed", "remove", "1"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("its bookings stay"));
    let out = cli(&db, &["feed", "remove", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("There is no feed 1"));
}
