//! One send path (DESIGN's message lifecycle): nothing outside the outbox module hands a text
//! to a provider. Every crate's sources are read and every call of a provider's `send` is
//! looked for; the only one allowed is `deliver` in `engine/src/outbox.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_outbox_calls_a_providers_send() {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR"));
    let crates = engine.parent().unwrap();
    let shell = crates.parent().unwrap().join("src");
    let mut files = Vec::new();
    for dir in [
        crates.join("engine/src"),
        crates.join("cli/src"),
        crates.join("store/src"),
        crates.join("domain/src"),
        shell,
    ] {
        rust_files(&dir, &mut files);
    }
    assert!(files.len() > 20, "the sources were not found: {files:?}");
    let mut callers = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        // A call of `Provider::send`: `.send(&OutboundText` in any spelling of the receiver.
        let compact: String = text.split_whitespace().collect();
        let calls = compact.matches(".send(&OutboundText").count()
            + compact.matches("Provider::send(").count();
        if calls > 0 {
            callers.push((file.strip_prefix(crates).unwrap_or(file).to_owned(), calls));
        }
    }
    assert_eq!(
        callers,
        vec![(PathBuf::from("engine/src/outbox.rs"), 1)],
        "a provider's send is called outside the outbox"
    );
}
