//! Backups of the desk's data: automatic (daily while the app runs, and at start when the
//! last one is older than a day), on demand, verified after writing. The automatic ones are
//! pruned to 14 daily and 6 monthly; the ones the desk asked for are kept.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::retention::backups_to_prune;
use ts_rs::TS;

use crate::{Engine, EngineError};

pub const KEEP_DAILY: usize = 14;
pub const KEEP_MONTHLY: usize = 6;
/// Today warns when the last good backup is older than this.
pub const WARN_AFTER_DAYS: i64 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupInfo {
    pub path: String,
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
    /// "daily", "manual" or "cli".
    pub reason: String,
    pub verified: bool,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupStatus {
    pub folder: String,
    pub last_good: Option<BackupInfo>,
    /// The newest backups that are still on disk, newest first.
    pub recent: Vec<BackupInfo>,
    /// No good backup for three days: Today says so.
    pub overdue: bool,
}

fn info(r: tidings_store::BackupRecord) -> BackupInfo {
    BackupInfo {
        path: r.path,
        bytes: r.bytes,
        created_at: r.created_at,
        reason: r.reason,
        verified: r.verified,
        error: r.error,
    }
}

impl Engine {
    /// Where automatic backups go: the folder in Settings, else `backups` beside the database.
    pub fn backup_folder(&self) -> Result<PathBuf, EngineError> {
        let folder = self.settings()?.backup_folder;
        Ok(if folder.is_empty() {
            self.store
                .path()
                .parent()
                .map(|p| p.join("backups"))
                .unwrap_or_else(|| PathBuf::from("backups"))
        } else {
            PathBuf::from(folder)
        })
    }

    /// Writes a verified backup to `target` and records it.
    pub fn backup_to(&self, target: &Path, reason: &str) -> Result<BackupInfo, EngineError> {
        let at = self.now();
        let existed = target.exists();
        match self.store.backup_to(target) {
            Ok(bytes) => {
                self.store.record_backup(target, bytes, at, reason, None)?;
                tracing::info!(bytes, "backup written and verified");
                Ok(BackupInfo {
                    path: target.display().to_string(),
                    bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
                    created_at: at,
                    reason: reason.to_owned(),
                    verified: true,
                    error: None,
                })
            }
            Err(err) => {
                // A half-written copy of ours goes; somebody else's file is never touched.
                if !existed {
                    let _ = std::fs::remove_file(target);
                }
                self.store
                    .record_backup(target, 0, at, reason, Some(&err.to_string()))?;
                Err(err.into())
            }
        }
    }

    /// A backup into the backup folder now, then old ones pruned.
    pub fn backup_now(&self, reason: &str) -> Result<BackupInfo, EngineError> {
        let folder = self.backup_folder()?;
        let stem = format!("tidings-{}", self.now().format("%Y%m%d-%H%M%S"));
        let target = crate::paths::unused_name(&folder, &stem, "sqlite3");
        let made = self.backup_to(&target, reason)?;
        self.prune_backups(&folder)?;
        self.publish(
            tidings_domain::WriteSource::Background,
            vec![tidings_domain::Change::Backups],
        );
        Ok(made)
    }

    /// Deletes the backup files in `folder` that fall outside the retention.
    fn prune_backups(&self, folder: &Path) -> Result<(), EngineError> {
        let zone = self.settings()?.zone();
        let ours: Vec<tidings_store::BackupRecord> = self
            .store
            .backups(10_000)?
            .into_iter()
            // Only the automatic daily copies rotate; ones the desk asked for stay until removed.
            .filter(|b| b.reason == "daily")
            .filter(|b| {
                b.verified
                    && Path::new(&b.path).parent() == Some(folder)
                    && Path::new(&b.path).exists()
            })
            .filter(|b| {
                Path::new(&b.path)
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("tidings-"))
            })
            .collect();
        let listed: Vec<(i64, DateTime<Utc>)> = ours.iter().map(|b| (b.id, b.created_at)).collect();
        for id in backups_to_prune(&listed, &zone, KEEP_DAILY, KEEP_MONTHLY) {
            if let Some(b) = ours.iter().find(|b| b.id == id) {
                if let Err(err) = std::fs::remove_file(&b.path) {
                    tracing::warn!("could not remove an old backup: {err}");
                }
            }
        }
        Ok(())
    }

    pub fn backup_status(&self) -> Result<BackupStatus, EngineError> {
        let all = self.store.backups(200)?;
        let last_good = all
            .iter()
            .find(|b| b.verified && Path::new(&b.path).exists())
            .cloned()
            .map(info);
        let overdue = last_good
            .as_ref()
            .is_none_or(|b| self.now() - b.created_at > Duration::days(WARN_AFTER_DAYS));
        Ok(BackupStatus {
            folder: self.backup_folder()?.display().to_string(),
            overdue,
            last_good,
            recent: all
                .into_iter()
                .filter(|b| !b.verified || Path::new(&b.path).exists())
                .take(20)
                .map(info)
                .collect(),
        })
    }

    /// Takes the daily backup when the last good one is a day old (or there is none and the
    /// desk has data). Called by the scheduler on every pass; cheap when nothing is due.
    pub fn backup_if_due(&self) -> Result<Option<BackupInfo>, EngineError> {
        // Runs on every scheduler pass: read the newest few records and stop at the first
        // good copy on disk (usually one file check), not the whole status.
        let recent = self.store.backups(20)?;
        let now = self.now();
        let due = recent
            .iter()
            .find(|b| b.verified && Path::new(&b.path).exists())
            .is_none_or(|b| now - b.created_at >= Duration::days(1));
        let failed_recently = recent
            .first()
            .is_some_and(|b| !b.verified && now - b.created_at < Duration::hours(1));
        if !due || failed_recently || !self.settings()?.is_setup_complete() {
            return Ok(None);
        }
        self.backup_now("daily").map(Some)
    }
}

/// What a backup holds, shown before a restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RestorePreview {
    pub path: String,
    /// When the backup was made, if Tidings recorded it (else the file's time).
    pub created_at: Option<DateTime<Utc>>,
    pub schema_version: u32,
    pub clients: i64,
    pub appointments: i64,
    pub messages: i64,
    pub consent_events: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RestoreReport {
    pub restored: RestorePreview,
    /// The backup of the state just before the restore.
    pub safety_backup: BackupInfo,
    /// Texts the restored data still had waiting that the provider had in fact sent.
    pub reconciled: u32,
    /// What happened after the backup and was kept: texts that had gone to the provider,
    /// replies received, consent recorded.
    pub kept: KeptAfterBackup,
}

/// What a restore keeps from after the backup (it cannot be rolled back: it happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct KeptAfterBackup {
    pub texts: u32,
    pub replies: u32,
    pub consent_events: u32,
}

impl Engine {
    /// Reads a backup without touching it: refused if damaged or from a newer Tidings.
    pub fn preview_restore(&self, path: &Path) -> Result<RestorePreview, EngineError> {
        let contents = tidings_store::inspect_backup(path)?;
        let recorded = self
            .store
            .backups(10_000)?
            .into_iter()
            .find(|b| Path::new(&b.path) == path)
            .map(|b| b.created_at);
        let modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .map(DateTime::<Utc>::from);
        Ok(RestorePreview {
            path: path.display().to_string(),
            created_at: recorded.or(modified),
            schema_version: contents.schema_version,
            clients: contents.counts.get("clients"),
            appointments: contents.counts.get("appointments"),
            messages: contents.counts.get("messages"),
            consent_events: contents.counts.get("consent_events"),
        })
    }

    /// Restores a backup: the current state is backed up first, sending is paused while the
    /// data is replaced, texts the provider already sent are reconciled so nothing goes twice,
    /// and every reminder is re-planned from the restored data before sending resumes.
    pub async fn restore(
        &self,
        path: &Path,
        source: tidings_domain::WriteSource,
    ) -> Result<RestoreReport, EngineError> {
        let restored = self.preview_restore(path)?;
        self.paused.store(true, std::sync::atomic::Ordering::SeqCst);
        let result = self.restore_paused(path, restored).await;
        self.paused
            .store(false, std::sync::atomic::Ordering::SeqCst);
        let report = result?;
        self.publish(source, vec![tidings_domain::Change::Restored]);
        Ok(report)
    }

    async fn restore_paused(
        &self,
        path: &Path,
        restored: RestorePreview,
    ) -> Result<RestoreReport, EngineError> {
        let safety_backup = self.backup_now("before_restore")?;
        let (_, carried) = self
            .store
            .restore_from(path, Some(Path::new(&safety_backup.path)))?;
        // The restored settings name the provider to use from now on.
        self.load_provider()?;
        let reconciled = self.reconcile_unsettled().await?;
        self.ensure_default_templates()?;
        self.replan_all()?;
        Ok(RestoreReport {
            restored,
            safety_backup,
            reconciled,
            kept: KeptAfterBackup {
                texts: carried.texts,
                replies: carried.replies,
                consent_events: carried.consent_events,
            },
        })
    }

    /// Invariant 3: a message that was waiting or claimed is checked against the provider's
    /// own records before anything could send it again.
    pub async fn reconcile_unsettled(&self) -> Result<u32, EngineError> {
        let now = self.now();
        let mut reconciled = 0;
        for m in self.store.unsettled_messages(now)? {
            // Only a text written down before it went can be recognised in the provider's
            // records, by its words: another text to the same number is not this one.
            let Some(since) = m.send_at.filter(|_| !m.body.is_empty()) else {
                continue;
            };
            let sent = self
                .provider()
                .messages_to(&m.to, since - Duration::minutes(1))
                .await?;
            for record in sent {
                if record.body == m.body && !self.store.provider_id_known(&record.provider_id)? {
                    self.store.mark_reconciled(
                        m.id,
                        &record.provider_id,
                        &record.body,
                        record.created_at,
                        now,
                    )?;
                    reconciled += 1;
                    break;
                }
            }
        }
        Ok(reconciled)
    }
}
