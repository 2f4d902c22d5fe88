//! Clients, consent and imports through the engine, on a real database file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use tidings_engine::domain::{
    ClientInput, ConsentAction, ConsentChannel, ConsentInput, ConsentState, Purpose, SetupInput,
    WriteSource,
};
use tidings_engine::{
    Engine, EngineConfig, ErrorCode, ExportFormat, FixedClock, ImportConsent, ImportOptions,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("../../../tests/fixtures")
        .join(name);
    std::fs::read(path).unwrap()
}

fn desk(dir: &tempfile::TempDir) -> Engine {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap(),
    ));
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("tidings.sqlite3"),
        clock,
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Harbour Hair".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
}

fn ann() -> ClientInput {
    ClientInput {
        name: "Ann Lee".into(),
        phone: "07400 123001".into(),
        timezone: None,
        notes: None,
        language: None,
    }
}

fn consent(client_id: i64, purpose: Purpose, action: ConsentAction) -> ConsentInput {
    ConsentInput {
        client_id,
        purpose,
        action,
        channel: ConsentChannel::PaperForm,
        recorded_by: "Sam".into(),
        occurred_at: None,
        evidence: Some("Form 17".into()),
    }
}

#[test]
fn a_number_that_is_taken_points_to_its_client() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let ann = engine
        .create_client(&ann(), WriteSource::Ui, "desk")
        .unwrap();
    assert_eq!(ann.phone, "+447400123001");

    let err = engine
        .create_client(
            &ClientInput {
                name: "Someone Else".into(),
                phone: "+44 7400 123001".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap_err();
    let payload = err.payload();
    assert_eq!(payload.code, ErrorCode::Conflict);
    assert_eq!(payload.related_id, Some(ann.id));
    assert!(payload.message.contains("Ann Lee"), "{}", payload.message);
    assert_eq!(engine.list_clients("", false).unwrap().len(), 1);
}

#[test]
fn search_finds_clients_by_name_and_by_any_form_of_the_number() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    engine
        .create_client(&ann(), WriteSource::Ui, "desk")
        .unwrap();
    engine
        .create_client(
            &ClientInput {
                name: "Bo Diaz".into(),
                phone: "07400 123002".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    let names = |q: &str| -> Vec<String> {
        engine
            .list_clients(q, false)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    assert_eq!(names(""), vec!["Ann Lee", "Bo Diaz"]);
    assert_eq!(names("ann"), vec!["Ann Lee"]);
    assert_eq!(names("07400 123002"), vec!["Bo Diaz"]);
    assert_eq!(names("+447400123002"), vec!["Bo Diaz"]);
    assert_eq!(names("(07400) 123-001"), vec!["Ann Lee"]);
    assert_eq!(names("123 00"), vec!["Ann Lee", "Bo Diaz"]);
    assert!(names("Zed").is_empty());
    assert!(
        names("50%_").is_empty(),
        "LIKE wildcards are matched literally"
    );
}

#[test]
fn consent_is_per_purpose_and_the_newest_event_decides() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let ann = engine
        .create_client(&ann(), WriteSource::Ui, "desk")
        .unwrap();
    assert_eq!(ann.consent.service, ConsentState::None);

    let granted = engine
        .record_consent(
            &consent(ann.id, Purpose::Service, ConsentAction::Granted),
            WriteSource::Ui,
        )
        .unwrap();
    assert!(granted
        .disclosure_text
        .starts_with("Harbour Hair will text you"));
    assert_eq!(granted.disclosure_version, 1);
    assert_eq!(granted.evidence.as_deref(), Some("Form 17"));

    let detail = engine.client_detail(ann.id).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Granted);
    assert_eq!(
        detail.client.consent.marketing,
        ConsentState::None,
        "never implied"
    );

    engine
        .record_consent(
            &consent(ann.id, Purpose::Service, ConsentAction::Revoked),
            WriteSource::Ui,
        )
        .unwrap();
    let detail = engine.client_detail(ann.id).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    assert_eq!(detail.ledger.len(), 2, "both events kept");
    // The store's derived state and the domain rule agree.
    assert_eq!(
        tidings_engine::domain::ConsentSummary::from_events(&detail.ledger),
        detail.client.consent
    );
}

#[test]
fn consent_records_are_refused_without_who_or_with_engine_only_channels() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let ann = engine
        .create_client(&ann(), WriteSource::Ui, "desk")
        .unwrap();
    let mut input = consent(ann.id, Purpose::Marketing, ConsentAction::Granted);
    input.recorded_by = "  ".into();
    let err = engine
        .record_consent(&input, WriteSource::Ui)
        .unwrap_err()
        .payload();
    assert_eq!(err.field.as_deref(), Some("recorded_by"));

    input.recorded_by = "Sam".into();
    input.channel = ConsentChannel::SmsKeyword;
    let err = engine
        .record_consent(&input, WriteSource::Ui)
        .unwrap_err()
        .payload();
    assert_eq!(err.field.as_deref(), Some("channel"));

    input.channel = ConsentChannel::WebForm;
    input.occurred_at = Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
    let err = engine
        .record_consent(&input, WriteSource::Ui)
        .unwrap_err()
        .payload();
    assert_eq!(err.field.as_deref(), Some("occurred_at"));

    assert!(engine.client_detail(ann.id).unwrap().ledger.is_empty());
}

#[test]
fn a_new_disclosure_version_leaves_recorded_words_alone() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let ann = engine
        .create_client(&ann(), WriteSource::Ui, "desk")
        .unwrap();
    let first = engine
        .record_consent(
            &consent(ann.id, Purpose::Service, ConsentAction::Granted),
            WriteSource::Ui,
        )
        .unwrap();
    let err = engine
        .update_disclosure(Purpose::Service, "We text you.", WriteSource::Ui, "Sam")
        .unwrap_err();
    assert_eq!(err.payload().field.as_deref(), Some("template"));

    let d = engine
        .update_disclosure(
            Purpose::Service,
            "{business} texts you about bookings only. Reply STOP to opt out.",
            WriteSource::Ui,
            "Sam",
        )
        .unwrap();
    let service = d
        .current
        .iter()
        .find(|v| v.purpose == Purpose::Service)
        .unwrap();
    assert_eq!(service.version, 2);
    assert_eq!(
        service.text,
        "Harbour Hair texts you about bookings only. Reply STOP to opt out."
    );
    assert_eq!(
        d.history
            .iter()
            .filter(|v| v.purpose == Purpose::Service)
            .count(),
        2
    );

    let ledger = engine.client_detail(ann.id).unwrap().ledger;
    assert_eq!(
        ledger[0], first,
        "the old event still holds version 1's words"
    );
}

#[test]
fn a_messy_file_imports_with_exact_per_row_results_and_reimports_as_no_change() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let bytes = fixture("clients-messy.csv");

    let preview = engine
        .preview_import(&bytes, &ImportOptions::default())
        .unwrap();
    assert_eq!(preview.encoding, "UTF-8");
    assert_eq!(preview.delimiter, ";");
    assert_eq!(preview.mapping.first_name, Some(0));
    assert_eq!(
        preview.mapping.phone,
        Some(2),
        "Mobile is preferred to Phone"
    );
    assert_eq!(preview.total_rows, 10);
    assert!(preview.report.dry_run);
    assert_eq!(
        engine.list_clients("", true).unwrap().len(),
        0,
        "a preview writes nothing"
    );

    let report = engine
        .import_clients(
            &bytes,
            &ImportOptions::default(),
            false,
            WriteSource::Import,
            "desk",
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!(
        (report.imported, report.updated, report.unchanged),
        (4, 0, 0)
    );
    let skipped: Vec<(u32, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.row, s.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 6, "{skipped:?}");
    assert_eq!(skipped[0], (5, "no phone number"));
    assert_eq!(skipped[1].0, 6);
    assert!(skipped[1].1.contains("too short"), "{}", skipped[1].1);
    assert_eq!(
        skipped[2],
        (7, "same number as row 3; only the first is imported")
    );
    assert_eq!(skipped[3].0, 8);
    assert!(skipped[3].1.contains("extension"));
    assert_eq!(skipped[4], (9, "no name"));
    assert_eq!(skipped[5].0, 12);
    assert!(skipped[5].1.contains("not a phone number"));

    let ann = engine.client_by_phone("07400 123001").unwrap().client;
    assert_eq!(ann.name, "Ann Lee");
    assert_eq!(ann.notes, "Prefers mornings;\r\nallergic to latex");
    assert_eq!(
        engine.client_by_phone("+447400123006").unwrap().client.name,
        "Hal Jones"
    );

    // The same file again changes nothing.
    let again = engine
        .import_clients(
            &bytes,
            &ImportOptions::default(),
            false,
            WriteSource::Import,
            "desk",
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!((again.imported, again.updated, again.unchanged), (0, 0, 4));
    assert_eq!(engine.list_clients("", true).unwrap().len(), 4);
}

#[test]
fn a_windows_1252_tab_file_keeps_its_accents_and_updates_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    engine
        .create_client(
            &ClientInput {
                name: "Renee".into(),
                phone: "07400 123102".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    let report = engine
        .import_clients(
            &fixture("clients-windows1252.csv"),
            &ImportOptions::default(),
            false,
            WriteSource::Import,
            "desk",
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!((report.imported, report.updated), (1, 1));
    let zoe = engine.client_by_phone("07400 123101").unwrap().client;
    assert_eq!(zoe.name, "Zoë Müller");
    assert_eq!(zoe.notes, "Café au lait");
    assert_eq!(
        engine.client_by_phone("07400 123102").unwrap().client.name,
        "Renée Faïth"
    );
}

#[test]
fn stated_consent_is_recorded_once_and_never_over_an_opt_out() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let ann = engine
        .create_client(&ann(), WriteSource::Ui, "desk")
        .unwrap();
    engine
        .record_consent(
            &consent(ann.id, Purpose::Service, ConsentAction::Revoked),
            WriteSource::Ui,
        )
        .unwrap();
    let options = ImportOptions {
        mapping: None,
        consent: Some(ImportConsent {
            purpose: Purpose::Service,
            source: "Paper intake forms kept at the desk".into(),
            obtained_on: "2026-03-01".into(),
        }),
    };
    let bytes = fixture("clients-messy.csv");
    let report = engine
        .import_clients(
            &bytes,
            &options,
            false,
            WriteSource::Import,
            "desk",
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!(report.consent_recorded, 3);
    assert_eq!(report.consent_not_recorded.len(), 1);
    assert_eq!(report.consent_not_recorded[0].row, 2);
    assert!(report.consent_not_recorded[0].reason.contains("opted out"));
    assert_eq!(
        engine.client_detail(ann.id).unwrap().client.consent.service,
        ConsentState::Revoked
    );

    let bo = engine.client_by_phone("07400 123002").unwrap();
    assert_eq!(bo.client.consent.service, ConsentState::Granted);
    assert_eq!(bo.client.consent.marketing, ConsentState::None);
    let event = &bo.ledger[0];
    assert_eq!(event.channel, ConsentChannel::Import);
    assert_eq!(
        event.occurred_at,
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()
    );
    assert!(event
        .evidence
        .as_deref()
        .unwrap()
        .contains("Paper intake forms"));

    let again = engine
        .import_clients(
            &bytes,
            &options,
            false,
            WriteSource::Import,
            "desk",
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!(again.consent_recorded, 0, "re-import records nothing twice");
    assert_eq!(
        engine.client_by_phone("07400 123002").unwrap().ledger.len(),
        1
    );
}

#[test]
fn consent_must_state_its_source_and_a_real_past_date() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let bytes = fixture("clients-messy.csv");
    for (source, date, field) in [
        ("", "2026-03-01", "consent_source"),
        ("Forms", "1 March", "consent_date"),
        ("Forms", "2027-03-01", "consent_date"),
    ] {
        let options = ImportOptions {
            mapping: None,
            consent: Some(ImportConsent {
                purpose: Purpose::Marketing,
                source: source.into(),
                obtained_on: date.into(),
            }),
        };
        let err = engine
            .import_clients(
                &bytes,
                &options,
                false,
                WriteSource::Import,
                "desk",
                &mut |_, _| {},
            )
            .unwrap_err()
            .payload();
        assert_eq!(err.field.as_deref(), Some(field), "{source} {date}");
    }
    assert!(
        engine.list_clients("", true).unwrap().is_empty(),
        "nothing half-imported"
    );
}

#[test]
fn unreadable_files_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    for bytes in [&b""[..], b"\x00\x01\x02PK binary", b"Name,Phone\n"] {
        let err = engine
            .import_clients(
                bytes,
                &ImportOptions::default(),
                false,
                WriteSource::Import,
                "desk",
                &mut |_, _| {},
            )
            .unwrap_err()
            .payload();
        assert_eq!(err.code, ErrorCode::ImportFile);
    }
}

#[test]
fn consent_evidence_exports_as_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let ann = engine
        .create_client(&ann(), WriteSource::Ui, "desk")
        .unwrap();
    engine
        .record_consent(
            &consent(ann.id, Purpose::Service, ConsentAction::Granted),
            WriteSource::Ui,
        )
        .unwrap();
    let out = dir.path().join("exports");
    let csv = engine
        .export_consent_file(ann.id, ExportFormat::Csv, &out)
        .unwrap();
    let text = std::fs::read_to_string(&csv.path).unwrap();
    assert!(
        csv.path.ends_with("consent-Ann-Lee-2026-11-26.csv"),
        "{}",
        csv.path
    );
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("event_id,client,phone,purpose,action,channel"));
    let row = lines.next().unwrap();
    assert!(row.contains("+447400123001") && row.contains("granted") && row.contains("paper_form"));

    let json = engine
        .export_consent_file(ann.id, ExportFormat::Json, &out)
        .unwrap();
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json.path).unwrap()).unwrap();
    assert_eq!(value["client"]["phone"], "+447400123001");
    assert_eq!(value["ledger"][0]["channel"], "paper_form");

    // A second export the same day gets its own name.
    let second = engine
        .export_consent_file(ann.id, ExportFormat::Csv, &out)
        .unwrap();
    assert!(second.path.ends_with("consent-Ann-Lee-2026-11-26-2.csv"));
}

#[test]
fn a_client_file_with_no_phone_column_is_refused_once_naming_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let engine = desk(&dir);
    let mut file = String::from("Name,Email\n");
    for i in 0..500 {
        file.push_str(&format!("Client {i},c{i}@example.com\n"));
    }
    let err = engine
        .import_clients(
            file.as_bytes(),
            &ImportOptions::default(),
            false,
            WriteSource::Import,
            "desk",
            &mut |_, _| {},
        )
        .unwrap_err()
        .payload();
    assert!(
        err.message.contains("phone number") && err.message.contains("2 \"Email\""),
        "{}",
        err.message
    );
    assert!(engine.list_clients("", true).unwrap().is_empty());
}
