//! The UI's TypeScript types must match the Rust types they describe.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;

#[test]
fn ui_bindings_are_up_to_date() {
    let path = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("../../../ui/src/lib/bindings.ts");
    let fresh = tidings_engine::typescript_bindings();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/lib/bindings.ts is stale. Regenerate it with \
         `UPDATE_BINDINGS=1 cargo test -p tidings-engine --test bindings`."
    );
    assert!(fresh.contains("export type Settings = "));
    assert!(fresh.contains("export type ErrorCode = "));
}
