//! Which Tidings this is: the version (the workspace's, declared once in the root
//! `Cargo.toml`) and the build (the commit it was built from, recorded by `build.rs`). The
//! About panel, `tidings-cli --version` and support conversations all read it from here.

/// The release version, e.g. "0.1.0".
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit this binary was built from (short hash), or "unknown" outside a git checkout.
pub const BUILD: &str = env!("TIDINGS_BUILD");

/// How this binary was compiled: "release" for the installed app, "debug" for a development
/// build (slower, and never what a desk should run).
pub const PROFILE: &str = if cfg!(debug_assertions) {
    "debug"
} else {
    "release"
};

/// One line for people: "0.1.0 (build 1a2b3c4d5, release)".
#[cfg(debug_assertions)]
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (build ",
    env!("TIDINGS_BUILD"),
    ", debug)"
);
/// One line for people: "0.1.0 (build 1a2b3c4d5, release)".
#[cfg(not(debug_assertions))]
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (build ",
    env!("TIDINGS_BUILD"),
    ", release)"
);

/// The file beside the database where a panic is recorded before the process stops.
pub const CRASH_LOG: &str = "crash.log";

/// A crash log stops growing here: the oldest records go first.
const CRASH_LOG_LIMIT: u64 = 256 * 1024;

/// Records every panic in `crash.log` beside the database (as well as on stderr, as before).
/// The installed app is built to abort on a panic (see the root `Cargo.toml`): the window
/// closes, and this file says why and in which build, for the desk to send when asking for
/// help. Nothing here may panic or block for long.
pub fn record_panics_beside(db_path: Option<&std::path::Path>) {
    let Some(folder) = db_path
        .and_then(|p| p.parent())
        .map(std::path::Path::to_path_buf)
    else {
        return;
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let thread = std::thread::current();
        let record = crash_record(&at, thread.name().unwrap_or("unnamed"), &info.to_string());
        let _ = append_crash_record(&folder.join(CRASH_LOG), &record);
        previous(info);
    }));
}

/// One record: when, which build, which thread, and the panic's message and place.
pub fn crash_record(at: &str, thread: &str, panic: &str) -> String {
    format!("{at} Tidings {VERSION_LINE} stopped in thread '{thread}': {panic}\n")
}

/// Appends `record`, first dropping the file's older half when it has outgrown its limit.
pub fn append_crash_record(path: &std::path::Path, record: &str) -> std::io::Result<()> {
    use std::io::Write;
    // A panic before the data folder was made (a first start) is recorded all the same.
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > CRASH_LOG_LIMIT) {
        let old = std::fs::read(path)?;
        let half = old.len() / 2;
        let cut = old[half..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(old.len(), |i| half + i + 1);
        std::fs::write(path, &old[cut..])?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(record.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_record_names_time_build_thread_and_panic() {
        let record = crash_record(
            "2027-03-28T02:00:00Z",
            "tokio-runtime-worker",
            "panicked at x.rs:1:2:\nboom",
        );
        assert!(
            record.starts_with("2027-03-28T02:00:00Z Tidings "),
            "{record}"
        );
        assert!(record.contains(VERSION_LINE), "{record}");
        assert!(record.contains("'tokio-runtime-worker'"), "{record}");
        assert!(record.ends_with("boom\n"), "{record}");
    }

    #[test]
    fn the_crash_log_keeps_its_newest_records_within_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CRASH_LOG);
        let line = format!("{}\n", "x".repeat(99));
        for _ in 0..6_000 {
            append_crash_record(&path, &line).unwrap();
        }
        append_crash_record(&path, "the newest\n").unwrap();
        let kept = std::fs::read_to_string(&path).unwrap();
        assert!(
            kept.len() as u64 <= CRASH_LOG_LIMIT + 200,
            "{} bytes",
            kept.len()
        );
        assert!(kept.ends_with("the newest\n"));
        assert!(
            kept.lines()
                .all(|l| l == "the newest" || l == "x".repeat(99)),
            "a record was cut in two"
        );
    }

    #[test]
    fn a_panic_is_written_beside_the_database() {
        let dir = tempfile::tempdir().unwrap();
        record_panics_beside(Some(&dir.path().join("tidings.sqlite3")));
        let _ = std::thread::Builder::new()
            .name("crash-test".into())
            .spawn(|| panic!("a test panic"))
            .unwrap()
            .join();
        let _ = std::panic::take_hook();
        let log = std::fs::read_to_string(dir.path().join(CRASH_LOG)).unwrap();
        assert!(
            log.contains("'crash-test'") && log.contains("a test panic"),
            "{log}"
        );
    }

    #[test]
    fn the_line_names_version_build_and_profile() {
        assert_eq!(
            VERSION_LINE,
            format!("{VERSION} (build {BUILD}, {PROFILE})")
        );
        assert!(!BUILD.is_empty());
        assert!(VERSION.split('.').count() == 3, "{VERSION}");
    }
}
