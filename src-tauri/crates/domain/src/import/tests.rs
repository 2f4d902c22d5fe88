//! Tests of reading a client file: dialects, encodings, broken files and column guesses.

use super::*;

fn table(text: &[u8]) -> CsvTable {
    read_csv(text).unwrap()
}

#[test]
fn dialects_bom_semicolons_tabs_quotes_and_windows_1252() {
    let t = table(b"\xEF\xBB\xBFName;Mobile\nAnn;07400 123123\n");
    assert_eq!(t.headers, vec!["Name", "Mobile"]);
    assert_eq!(t.delimiter, ";");
    assert_eq!(t.rows[0].cells, vec!["Ann", "07400 123123"]);

    let t = table(b"Name\tPhone\nBo\t+14155552671\n");
    assert_eq!(t.delimiter, "\t");

    let t = table(
        b"Name,Notes,Phone\n\"Lee, Ann\",\"line one\nline two\",07400123123\nCy,,07400123124\n",
    );
    assert_eq!(t.rows[0].cells[0], "Lee, Ann");
    assert_eq!(t.rows[0].cells[1], "line one\nline two");
    assert_eq!(
        t.rows[1].row, 3,
        "the quoted newline does not shift row numbers"
    );

    // "Zoë Müller" in Windows-1252.
    let t = table(b"Name,Phone\nZo\xEB M\xFCller,07400123123\n");
    assert_eq!(t.encoding, "Windows-1252");
    assert_eq!(t.rows[0].cells[0], "Zoë Müller");
}

#[test]
fn unreadable_files_are_refused_whole() {
    assert_eq!(read_csv(b""), Err(ImportFileError::Empty));
    assert_eq!(read_csv(b" \n \r\n"), Err(ImportFileError::Empty));
    assert_eq!(read_csv(b"Name,Phone\n\n,\n"), Err(ImportFileError::NoRows));
    assert_eq!(
        read_csv(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"),
        Err(ImportFileError::Binary)
    );
    let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
    assert!(matches!(
        read_csv(&big),
        Err(ImportFileError::TooLarge { mib: 26 })
    ));
}

#[test]
fn headers_from_common_exports_map_themselves() {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let m = guess_mapping(&h(&["First Name", "Last Name", "Phone", "Mobile", "Notes"]));
    assert_eq!(m.first_name, Some(0));
    assert_eq!(m.last_name, Some(1));
    assert_eq!(m.phone, Some(3), "mobile beats phone");
    assert_eq!(m.notes, Some(4));
    assert_eq!(m.name, None);

    let m = guess_mapping(&h(&["Client", "Cell #", "Comments"]));
    assert_eq!(m.name, Some(0));
    assert_eq!(m.phone, Some(1));
    assert_eq!(m.notes, Some(2));
}

#[test]
fn each_row_gets_a_verdict() {
    let t = table(
        b"First,Last,Mobile\n\
          Ann,Lee,07400 123123\n\
          Bo,,07400 123124\n\
          Cy,Dee,\n\
          Di,Eve,12\n\
          Ann,Lee,+44 7400 123123\n\
          ,,07400 123125\n\
          Flo,Gee,07400 123126\n",
    );
    let mapping = guess_mapping(&t.headers);
    let mut existing = HashMap::new();
    existing.insert(
        "+447400123124".to_owned(),
        ExistingClient {
            id: 7,
            name: "Bo".into(),
            timezone: None,
            notes: String::new(),
            language: None,
        },
    );
    existing.insert(
        "+447400123126".to_owned(),
        ExistingClient {
            id: 9,
            name: "Flo G".into(),
            timezone: None,
            notes: String::new(),
            language: None,
        },
    );
    let plan = plan_import(&t, &mapping, "GB", &existing);
    let outcomes: Vec<(u32, &RowOutcome)> = plan.iter().map(|p| (p.row, &p.outcome)).collect();
    assert_eq!(outcomes[0], (2, &RowOutcome::New));
    assert_eq!(outcomes[1], (3, &RowOutcome::Unchanged { client_id: 7 }));
    assert!(
        matches!(outcomes[2], (4, RowOutcome::Skipped { reason }) if reason == "no phone number")
    );
    assert!(
        matches!(outcomes[3], (5, RowOutcome::Skipped { reason }) if reason.contains("too short"))
    );
    assert!(
        matches!(outcomes[4], (6, RowOutcome::Skipped { reason }) if reason.contains("same number as row 2"))
    );
    assert!(matches!(outcomes[5], (7, RowOutcome::Skipped { reason }) if reason == "no name"));
    assert_eq!(outcomes[6], (8, &RowOutcome::Update { client_id: 9 }));

    let report = ImportReport::from_plan(&plan, true);
    assert_eq!(
        (report.imported, report.updated, report.unchanged),
        (1, 1, 1)
    );
    assert_eq!(
        report.skipped.iter().map(|s| s.row).collect::<Vec<_>>(),
        vec![4, 5, 6, 7]
    );
}

#[test]
fn spanish_headers_are_guessed_whatever_their_accents_and_case() {
    let headers: Vec<String> = ["Nombre", "APELLIDOS", "Teléfono", "Móvil", "Notas"]
        .iter()
        .map(|h| (*h).to_owned())
        .collect();
    let m = guess_mapping(&headers);
    assert_eq!(m.name, None);
    assert_eq!(m.first_name, Some(0));
    assert_eq!(m.last_name, Some(1));
    assert_eq!(m.phone, Some(3), "the mobile wins over the landline");
    assert_eq!(m.notes, Some(4));
}

#[test]
fn an_unclosed_quote_is_refused_with_its_line_not_read_to_the_end() {
    let mut file = String::from("Name,Mobile\nAnn,07400 100001\n\"Broken quote,07400 200002\n");
    for i in 0..100 {
        file.push_str(&format!("Client {i},07400 3{i:05}\n"));
    }
    assert_eq!(
        read_csv(file.as_bytes()),
        Err(ImportFileError::UnclosedQuote {
            line: 3,
            after: 100
        })
    );
    // Quotes the reader takes as they are: closed, doubled, or inside a cell.
    let fine = "Name,Notes\n\"Lee, Ann\",\"said \"\"hi\"\"\nand left\"\nBo 5'10\",tall\n";
    let t = table(fine.as_bytes());
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0].cells[1], "said \"hi\"\nand left");
    assert_eq!(t.rows[1].cells[0], "Bo 5'10\"");
}

#[test]
fn a_web_page_saved_as_the_export_is_named_as_one() {
    for page in [
        "<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>",
        "\n  <html lang=\"en\"><body>Not found</body></html>",
    ] {
        assert_eq!(
            read_csv(page.as_bytes()),
            Err(ImportFileError::WebPage),
            "{page}"
        );
    }
}
