//! Where things are: the app under test, the CLI, this crate's folder and its fixtures.

use std::path::{Path, PathBuf};

/// The app under test (`TIDINGS_APP`).
pub fn app_binary() -> String {
    let path = std::env::var("TIDINGS_APP").unwrap_or_else(|_| {
        panic!(
            "TIDINGS_APP is not set. End-to-end tests need the built app: run `bash .ci/test` \
             (it builds the app and starts Xvfb and tauri-driver), or set TIDINGS_APP to the \
             binary built with `--features custom-protocol`."
        )
    });
    assert!(
        Path::new(&path).is_file(),
        "TIDINGS_APP={path} is not a file"
    );
    path
}

/// `tidings-cli`, built next to this test binary (`cargo build -p tidings-cli`).
pub fn cli_binary() -> PathBuf {
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

/// This crate's folder. Cargo sets it when running tests; the compile-time value can name
/// another checkout that shares the build folder.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// A file from `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    crate_dir().join("fixtures").join(name)
}
