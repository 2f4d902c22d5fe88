//! Reading client lists exported from other systems: CSV in any of the usual dialects, mapped
//! to our fields, every row checked before anything is written.
//!
//! Parsing is the `csv` crate's and decoding `encoding_rs`'s; what is ours is sniffing the
//! dialect, guessing the column mapping from common export headers and the per-row verdicts.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::client::{ClientInput, ValidClient};

/// Client lists are small; a file this large is almost certainly the wrong file.
pub const MAX_IMPORT_BYTES: usize = 25 * 1024 * 1024;

/// Why a file can't be read as a client list at all. Nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportFileError {
    #[error("The file is empty. Export it again and choose the new file.")]
    Empty,
    #[error("The file is {mib} MB; a list of clients or bookings is rarely over 25 MB. Check that this is the right file, or split it into smaller files.")]
    TooLarge { mib: usize },
    #[error("This is not a text file (it looks like a spreadsheet, picture or program). Save the list as CSV first: in a spreadsheet, File → Save As → CSV.")]
    Binary,
    #[error("The file has a header row but nothing under it. Export it again with its rows and choose the new file.")]
    NoRows,
    #[error("The file can't be read as CSV: {0}. Save it as CSV again and retry.")]
    Malformed(String),
    #[error("This is a web page, not an export file. In the booking system, use its Export or Download button and choose the file it saves.")]
    WebPage,
    #[error("The quote (\") that opens a cell on line {line} is never closed, so {after} more lines would have been read as part of that one cell. Nothing was imported. Close or remove that quote (in a spreadsheet or text editor), save, and import again.")]
    UnclosedQuote { line: u64, after: usize },
}

/// A CSV file as read: header, rows, and how it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CsvTable {
    pub headers: Vec<String>,
    pub rows: Vec<CsvRow>,
    /// "," ";" or "\t".
    pub delimiter: String,
    /// "UTF-8" or "Windows-1252".
    pub encoding: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CsvRow {
    /// The row number a spreadsheet shows: the header is row 1.
    pub row: u32,
    pub cells: Vec<String>,
}

/// Reads a CSV file: UTF-8 (with or without BOM) or Windows-1252; comma, semicolon or tab;
/// quoted fields may hold delimiters and newlines. Blank rows are passed over.
pub fn read_csv(bytes: &[u8]) -> Result<CsvTable, ImportFileError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportFileError::TooLarge {
            mib: bytes.len().div_ceil(1024 * 1024),
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportFileError::Empty);
    }
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        return Err(ImportFileError::Binary);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text, "Windows-1252")
        }
    };
    if is_web_page(text.as_bytes()) {
        return Err(ImportFileError::WebPage);
    }
    let delimiter = sniff_delimiter(&text);
    if let Some((line, after)) = unclosed_quote(&text, delimiter) {
        return Err(ImportFileError::UnclosedQuote { line, after });
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // A spreadsheet shows each record as one row, blank lines included, whatever newlines its
    // quoted cells hold: the line the record starts on, less the newlines inside earlier cells.
    // (The reader's own line count lags by one after a CRLF, so lines are counted here.)
    let raw = text.as_bytes();
    let mut counted_to = 0usize;
    let mut line = 1u64;
    let mut inner_newlines = 0u64;
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| ImportFileError::Malformed(err.to_string()))?;
        let mut start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .min(raw.len());
        while start < raw.len() && matches!(raw[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > counted_to {
            line += raw[counted_to..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted_to = start;
        }
        let row = line.saturating_sub(inner_newlines);
        inner_newlines += record
            .iter()
            .map(|c| c.matches('\n').count() as u64)
            .sum::<u64>();
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if headers.is_none() {
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        rows.push(CsvRow {
            row: u32::try_from(row).unwrap_or(u32::MAX),
            cells,
        });
    }
    let Some(headers) = headers else {
        return Err(ImportFileError::Empty);
    };
    if rows.is_empty() {
        return Err(ImportFileError::NoRows);
    }
    Ok(CsvTable {
        headers,
        rows,
        delimiter: (delimiter as char).to_string(),
        encoding: encoding.to_owned(),
    })
}

/// A file's columns as the desk sees them, numbered from 1: `1 "Name", 2 "Mobile"`.
pub fn describe_columns(headers: &[String]) -> String {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{} \"{}\"", i + 1, h.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An HTML page where a file or calendar was expected (a download link or address that led to
/// a sign-in page): its first 512 bytes hold `<html` or a doctype.
pub fn is_web_page(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    head.contains("<html") || head.contains("<!doctype")
}

/// A quoted cell that is never closed: the line it opens on and how many non-blank lines after
/// it the reader would swallow into it. The quote rules are the reader's: a quote opens a cell
/// only as its first character, `""` inside is a quote, and any other quote is plain text.
/// (Checked here because the reader itself takes such a cell to the end of the file quietly.)
fn unclosed_quote(text: &str, delimiter: u8) -> Option<(u64, usize)> {
    let bytes = text.as_bytes();
    let mut line = 1u64;
    let mut field_start = true;
    let mut open: Option<(u64, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if open.is_some() {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                open = None;
                field_start = false;
            } else if b == b'\n' {
                line += 1;
            }
        } else if b == b'"' && field_start {
            open = Some((line, i));
        } else {
            if b == b'\n' {
                line += 1;
            }
            field_start = b == delimiter || b == b'\n' || b == b'\r';
        }
        i += 1;
    }
    let (at, from) = open?;
    let after = text[from..]
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    Some((at, after))
}

/// The delimiter used most in the first line, outside quotes.
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        match c {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(slot) = counts.iter_mut().find(|(d, _)| *d == c) {
                    slot.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

/// Which column (0-based) holds each of our fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct ColumnMapping {
    pub name: Option<u32>,
    pub first_name: Option<u32>,
    pub last_name: Option<u32>,
    pub phone: Option<u32>,
    pub notes: Option<u32>,
    pub timezone: Option<u32>,
    /// The client's language ("es", "Spanish", "Español"); a file without one gives none.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub language: Option<u32>,
}

/// A header as compared: lower case, accents folded ("Teléfono" is "telefono", "Móvil" is
/// "movil"), punctuation as spaces, spaces collapsed.
pub(crate) fn normalise_header(header: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    header
        .to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Guesses the mapping from the header names common exports use. A mobile/cell column wins
/// over a plain phone column, since texts go to mobiles.
pub fn guess_mapping(headers: &[String]) -> ColumnMapping {
    let names: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let find = |candidates: &[&str]| -> Option<u32> {
        candidates.iter().find_map(|candidate| {
            names
                .iter()
                .position(|n| n == candidate)
                .and_then(|i| u32::try_from(i).ok())
        })
    };
    ColumnMapping {
        name: find(&[
            "name",
            "full name",
            "client",
            "client name",
            "customer",
            "customer name",
            "contact",
            "contact name",
            "patient",
            "patient name",
            "nombre completo",
            "cliente",
            "nombre del cliente",
            "paciente",
            "contacto",
        ]),
        first_name: find(&[
            "first name",
            "first",
            "given name",
            "firstname",
            "forename",
            "nombre",
        ]),
        last_name: find(&[
            "last name",
            "last",
            "surname",
            "family name",
            "lastname",
            "apellido",
            "apellidos",
        ]),
        phone: find(&[
            "mobile",
            "mobile phone",
            "mobile number",
            "cell",
            "cell phone",
            "cellphone",
            "mobile phone number",
            "phone",
            "phone number",
            "telephone",
            "tel",
            "sms",
            "number",
            "movil",
            "celular",
            "telefono movil",
            "telefono",
            "numero de telefono",
        ]),
        notes: find(&[
            "notes",
            "note",
            "comments",
            "comment",
            "remarks",
            "notas",
            "nota",
            "comentarios",
        ]),
        timezone: find(&["time zone", "timezone", "tz", "zona horaria"]),
        language: find(&["language", "lang", "preferred language", "idioma", "lengua"]),
    }
}

/// What a row of the file will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(tag = "kind", rename_all = "snake_case")]
pub enum RowOutcome {
    /// A new client.
    New,
    /// Changes an existing client with this number.
    Update { client_id: i64 },
    /// The client exists and the row changes nothing.
    Unchanged { client_id: i64 },
    /// The row can't be imported; nothing of it is written.
    Skipped { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RowPlan {
    pub row: u32,
    pub name: String,
    /// E.164 when valid, else as written.
    pub phone: String,
    pub outcome: RowOutcome,
    /// The checked client to write (none for a skipped row).
    #[serde(skip)]
    #[ts(skip)]
    pub valid: Option<ValidClient>,
}

/// What exists already, keyed by E.164 number, for deciding new / update / unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingClient {
    pub id: i64,
    pub name: String,
    pub timezone: Option<String>,
    pub notes: String,
    pub language: Option<String>,
}

/// Decides every row. Pure: the same file, mapping and clients always give the same plan.
pub fn plan_import(
    table: &CsvTable,
    mapping: &ColumnMapping,
    region: &str,
    existing: &HashMap<String, ExistingClient>,
) -> Vec<RowPlan> {
    let cell = |row: &CsvRow, column: Option<u32>| -> String {
        column
            .and_then(|c| row.cells.get(c as usize))
            .cloned()
            .unwrap_or_default()
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    table
        .rows
        .iter()
        .map(|row| {
            let name = match mapping.name {
                Some(_) => cell(row, mapping.name),
                None => [cell(row, mapping.first_name), cell(row, mapping.last_name)]
                    .iter()
                    .filter(|p| !p.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            let raw_phone = cell(row, mapping.phone);
            let input = ClientInput {
                name: name.clone(),
                phone: raw_phone.clone(),
                timezone: Some(cell(row, mapping.timezone)).filter(|t| !t.is_empty()),
                notes: Some(cell(row, mapping.notes)).filter(|n| !n.is_empty()),
                language: Some(cell(row, mapping.language)).filter(|l| !l.is_empty()),
            };
            let skipped = |reason: String, phone: String| RowPlan {
                row: row.row,
                name: name.clone(),
                phone,
                outcome: RowOutcome::Skipped { reason },
                valid: None,
            };
            if mapping.phone.is_none() {
                return skipped(
                    "no column is mapped to the phone number".into(),
                    raw_phone.clone(),
                );
            }
            if raw_phone.is_empty() {
                return skipped("no phone number".into(), raw_phone.clone());
            }
            if name.trim().is_empty() {
                return skipped("no name".into(), raw_phone.clone());
            }
            let valid = match input.validate(region) {
                Ok(valid) => valid,
                Err(err) => return skipped(err.to_string(), raw_phone.clone()),
            };
            if let Some(first) = seen.get(&valid.phone) {
                return skipped(
                    format!("same number as row {first}; only the first is imported"),
                    valid.phone.clone(),
                );
            }
            seen.insert(valid.phone.clone(), row.row);
            let outcome = match existing.get(&valid.phone) {
                None => RowOutcome::New,
                Some(current) => {
                    // Empty cells never erase what the desk already has.
                    let changes_name = valid.name != current.name;
                    let changes_notes = !valid.notes.is_empty() && valid.notes != current.notes;
                    let changes_tz = valid.timezone.is_some() && valid.timezone != current.timezone;
                    let changes_language =
                        valid.language.is_some() && valid.language != current.language;
                    if changes_name || changes_notes || changes_tz || changes_language {
                        RowOutcome::Update {
                            client_id: current.id,
                        }
                    } else {
                        RowOutcome::Unchanged {
                            client_id: current.id,
                        }
                    }
                }
            };
            RowPlan {
                row: row.row,
                name: valid.name.clone(),
                phone: valid.phone.clone(),
                outcome,
                valid: Some(valid),
            }
        })
        .collect()
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SkippedRow {
    pub row: u32,
    pub reason: String,
}

/// The result of an import (or of a dry run: what it would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct ImportReport {
    pub imported: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub skipped: Vec<SkippedRow>,
    /// Consent events written (0 unless the file's consent was stated).
    pub consent_recorded: u32,
    /// Rows whose stated consent was not recorded because the client had opted out (an import
    /// never overrides an opt-out) or had already granted.
    pub consent_not_recorded: Vec<SkippedRow>,
    pub dry_run: bool,
}

impl ImportReport {
    /// Counts a plan (before any consent is considered).
    pub fn from_plan(plan: &[RowPlan], dry_run: bool) -> Self {
        let mut report = Self {
            dry_run,
            ..Self::default()
        };
        for row in plan {
            match &row.outcome {
                RowOutcome::New => report.imported += 1,
                RowOutcome::Update { .. } => report.updated += 1,
                RowOutcome::Unchanged { .. } => report.unchanged += 1,
                RowOutcome::Skipped { reason } => report.skipped.push(SkippedRow {
                    row: row.row,
                    reason: reason.clone(),
                }),
            }
        }
        report
    }
}

#[cfg(test)]
mod tests;
