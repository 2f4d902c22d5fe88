//! Opening the database safely: checks first, writes after.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};

use crate::StoreError;

/// The embedded migrations, in order. Version N of the schema is the first N of them.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_foundation.sql"),
    include_str!("../migrations/0002_clients_consent.sql"),
    include_str!("../migrations/0003_appointments.sql"),
    include_str!("../migrations/0004_templates_reminders_messages.sql"),
    include_str!("../migrations/0005_backups.sql"),
    include_str!("../migrations/0006_dispatch.sql"),
    include_str!("../migrations/0007_provider_cancellations.sql"),
    include_str!("../migrations/0008_conversations.sql"),
    include_str!("../migrations/0009_notices.sql"),
    include_str!("../migrations/0010_follow_ups.sql"),
    include_str!("../migrations/0011_insights_indexes.sql"),
    include_str!("../migrations/0012_insights_facts.sql"),
    include_str!("../migrations/0013_insights_days.sql"),
    include_str!("../migrations/0014_outcome_unknown.sql"),
    include_str!("../migrations/0015_direct_kind.sql"),
    include_str!("../migrations/0016_feeds.sql"),
    include_str!("../migrations/0017_languages.sql"),
    include_str!("../migrations/0018_change_log.sql"),
];

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The newest schema version this build can open.
pub fn schema_version_supported() -> u32 {
    // The list is a handful of entries, so the cast cannot truncate.
    MIGRATIONS.len() as u32
}

pub(crate) fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get::<_, u32>(0))?)
}

/// Opens `path` for use:
/// 1. creates the folder (owner-only) and the file (mode 0600) if missing;
/// 2. runs `PRAGMA integrity_check` and reads the schema version *before* writing anything,
///    so a damaged or newer database is refused untouched;
/// 3. turns on WAL, foreign keys and a busy timeout;
/// 4. applies pending migrations in one transaction.
pub(crate) fn open_checked(path: &Path) -> Result<Connection, StoreError> {
    prepare_file(path)?;
    let corrupt = |detail: String| StoreError::Corrupt {
        path: path.to_owned(),
        detail,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::DataFolder {
            path: path.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;

    let problems = integrity_problems(&conn).map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => corrupt("it is not a SQLite database".into()),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => corrupt(e.to_string()),
        _ => StoreError::from(e),
    })?;
    if !problems.is_empty() {
        return Err(corrupt(problems.join("; ")));
    }

    let found = user_version(&conn)?;
    let supported = schema_version_supported();
    if found > supported {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found,
            supported,
        });
    }

    conn.pragma_update(None, "journal_mode", "WAL")?;
    if found > 0 && found < supported {
        // Always a copy before the schema changes, next to the database.
        let copy = path.with_extension(format!("before-schema-{supported}.sqlite3"));
        if !copy.exists() {
            conn.execute("VACUUM INTO ?1", [copy.display().to_string()])
                .map_err(|e| {
                    StoreError::Migration(format!("the copy before updating failed: {e}"))
                })?;
        }
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;

    migrate(&mut conn)?;
    Ok(conn)
}

/// The rows of `PRAGMA integrity_check` other than the single "ok" of a healthy file.
fn integrity_problems(conn: &Connection) -> Result<Vec<String>, rusqlite::Error> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().filter(|row| row != "ok").take(5).collect())
}

fn prepare_file(path: &Path) -> Result<(), StoreError> {
    let folder_error = |source: std::io::Error| StoreError::DataFolder {
        path: path.parent().unwrap_or(path).to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(folder_error)?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(folder_error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(folder_error)?;
    }
    Ok(())
}

/// Applies every pending migration in one transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
        .to_latest(conn)
        .map_err(|e| StoreError::Migration(e.to_string()))
}
