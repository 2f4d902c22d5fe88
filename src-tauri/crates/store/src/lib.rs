//! Tidings' SQLite store. Every SQL statement the system runs lives in this crate.
//!
//! One file on the desk's disk, opened with WAL, foreign keys and a busy timeout; checked with
//! `PRAGMA integrity_check` before anything is written; migrated by embedded, numbered SQL files
//! in one transaction. A database written by a newer Tidings is refused untouched.

mod appointment_import;
mod appointments;
mod audit;
mod backup;
mod carry;
mod change_log;
mod clients;
mod dispatch;
mod error;
mod feeds;
mod follow_ups;
mod inbound;
mod inbox;
mod insight_reads;
mod insights;
mod kv;
mod notices;
mod open;
mod outbox;
mod reconcile;
mod rules;
mod sandbox;
mod settings;
mod templates;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use appointment_import::{FeedChanges, ImportedAppointment, RemovedAppointment};
pub use appointments::{stamp, AppointmentRecord};
pub use audit::{AuditEntry, NewAuditEntry};
pub use backup::{inspect_backup, BackupContents, BackupRecord, TableCounts, COUNTED_TABLES};
pub use carry::{Carried, INBOUND_CURSOR_KEY};
pub use clients::{ClientSearch, ImportConsentSpec, NewConsentEvent};
pub use dispatch::{ClaimedBody, ClaimedMessage, PendingCancellation};
pub use error::StoreError;
pub use feeds::{FeedKind, FeedRow, FeedSpan};
pub use follow_ups::QuestionKind;
pub use inbound::{
    AnsweredAppointment, ArrivedText, InboundEffects, KeywordConsent, QueuedReply, RecordedInbound,
};
pub use inbox::{
    fts_query, ConversationChange, ConversationCounts, ConversationRow, InboundMarks,
    NewDirectText, SearchHit, ThreadFilter,
};
pub use insight_reads::VersionName;
pub use insights::{DayTotals, DayWindow, ReminderGroup};
pub use notices::{NewNotice, NoticeCounts, NoticeText};
pub use open::{schema_version_supported, MIGRATIONS};
pub use outbox::{MessageRow, NewPlannedMessage, SentMessage};
pub use rules::{RuleRow, RuleSpec};
pub use sandbox::{NewSandboxRecord, SandboxDirection, SandboxRecord};
pub use templates::{ShippedTemplate, TemplateRow, TemplateVersionRow};

/// The open database. Cheap to share behind an `Arc`; calls are serialised on one connection,
/// which is plenty for one desk and keeps write ordering simple.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// Bumped (under the connection's lock) whenever the database's contents are replaced
    /// by a restore, so work counted from the old contents is not written into the new.
    generation: AtomicU64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`. See [`open`] for the checks made.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open::open_checked(path)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            generation: AtomicU64::new(0),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this database is at (the number of migrations applied).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let conn = self.lock();
        open::user_version(&conn)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll back
        // on drop), so a poisoned lock is safe to keep using.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` in an IMMEDIATE transaction (the write lock is taken up front, so two writers
    /// never deadlock on upgrade) and commits it if `f` succeeds.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.lock();
        f(&conn)
    }
}
