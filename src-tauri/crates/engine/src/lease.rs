//! One sender at a time per database (DESIGN invariant 4): the app, a scheduled
//! `tidings-cli tick` and a second window may all open the same file, and a claim another
//! process holds must never be taken for an orphan. The lease is an OS file lock on
//! `<database>.sender-lock`, taken around every claim → provider → settle and every
//! reconcile; the kernel drops it when its holder exits, however it exits, so a killed process
//! never leaves it behind. Within one process a queue (an async mutex) orders who asks.
//!
//! The same file keeps the database's next sending slot (Unix milliseconds, as text), so the
//! provider's rate is kept across processes too: a command-line tick that takes over from the
//! app does not start with a burst. It is read and written only under the lease.
//!
//! Written here rather than taken from a crate: the standard library's `File::try_lock` is the
//! whole mechanism; what is ours is only how long to wait, what to say, and the slot.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::EngineError;

/// How long a send waits for another process's send to finish before saying so. Longer than
/// one provider call can take (its timeout), so only a stuck process makes anyone wait this
/// long.
pub const LEASE_WAIT: Duration = Duration::from_secs(45);
const RETRY_EVERY: Duration = Duration::from_millis(20);

#[derive(Debug)]
pub struct SenderLock {
    path: PathBuf,
    file: tokio::sync::Mutex<File>,
}

/// Held while one text is claimed, sent and settled; dropping it lets the next sender in.
pub struct SenderLease<'a> {
    file: tokio::sync::MutexGuard<'a, File>,
}

impl Drop for SenderLease<'_> {
    fn drop(&mut self) {
        if let Err(err) = self.file.unlock() {
            tracing::warn!("the sender lock could not be released: {err}");
        }
    }
}

impl SenderLease<'_> {
    /// Waits for this database's next sending slot at `per_second` texts a second, whichever
    /// process sent last, and books the one after it.
    pub async fn pace(&self, per_second: u32) {
        self.pace_every(1000 / i64::from(per_second.max(1))).await;
    }

    /// As [`SenderLease::pace`], one text every `interval` milliseconds.
    pub async fn pace_every(&self, interval: i64) {
        let interval = interval.max(1);
        let now = real_now_ms();
        // A slot further off than one interval is not ours to honour (a clock set back, a
        // damaged file): it is treated as free now.
        let slot = self
            .read_slot()
            .filter(|slot| *slot <= now + interval)
            .map_or(now, |slot| slot.max(now));
        if slot > now {
            tokio::time::sleep(Duration::from_millis(
                u64::try_from(slot - now).unwrap_or(0),
            ))
            .await;
        }
        if let Err(err) = self.write_slot(slot + interval) {
            tracing::warn!("the next sending slot could not be kept: {err}");
        }
    }

    fn read_slot(&self) -> Option<i64> {
        let mut file: &File = &self.file;
        let mut text = String::new();
        file.seek(SeekFrom::Start(0)).ok()?;
        file.take(32).read_to_string(&mut text).ok()?;
        text.trim().parse().ok()
    }

    fn write_slot(&self, slot: i64) -> std::io::Result<()> {
        let mut file: &File = &self.file;
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        write!(file, "{slot}")
    }
}

/// The computer's real clock in Unix milliseconds (the provider's rate is real time, whatever
/// the engine's clock says).
fn real_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

impl SenderLock {
    pub fn open(db_path: &Path) -> Result<Self, EngineError> {
        let mut name = db_path.as_os_str().to_owned();
        name.push(".sender-lock");
        let path = PathBuf::from(name);
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).read(true).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|err| {
            EngineError::SenderBusy(format!(
                "Tidings could not create its sender lock {}: {err}. Check that the data folder \
                 is writable.",
                path.display()
            ))
        })?;
        Ok(Self {
            path,
            file: tokio::sync::Mutex::new(file),
        })
    }

    /// Waits (up to `wait`) until no other sender — in this process or another — holds the
    /// lease, then holds it.
    pub async fn acquire(&self, wait: Duration) -> Result<SenderLease<'_>, EngineError> {
        let deadline = tokio::time::Instant::now() + wait;
        let file = tokio::time::timeout_at(deadline, self.file.lock())
            .await
            .map_err(|_| self.busy())?;
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(SenderLease { file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !said {
                        said = true;
                        tracing::info!(
                            "another Tidings is sending from this database; waiting for it to finish its text"
                        );
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return Err(self.busy());
                    }
                    tokio::time::sleep(RETRY_EVERY).await;
                }
                Err(std::fs::TryLockError::Error(err)) => {
                    return Err(EngineError::SenderBusy(format!(
                        "Tidings could not take its sender lock {}: {err}.",
                        self.path.display()
                    )))
                }
            }
        }
    }

    fn busy(&self) -> EngineError {
        EngineError::SenderBusy(
            "Another Tidings on this computer is sending from this database and has not \
             finished. Nothing was sent twice; try again in a minute, or close the other one."
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time_across_open_files_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite3");
        // Two locks on one database stand for two processes: each opens its own file.
        let first = SenderLock::open(&db).unwrap();
        let second = SenderLock::open(&db).unwrap();
        let held = first.acquire(Duration::ZERO).await.unwrap();
        let refused = second.acquire(Duration::from_millis(100)).await;
        assert!(matches!(refused, Err(EngineError::SenderBusy(_))));
        drop(held);
        assert!(second.acquire(Duration::ZERO).await.is_ok());
    }

    /// Two processes (two open files) sending in turn keep one pace between them: the second
    /// one's first text waits for the slot the first one booked.
    #[tokio::test]
    async fn the_sending_pace_is_kept_across_processes() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.sqlite3");
        let app = SenderLock::open(&db).unwrap();
        let cli = SenderLock::open(&db).unwrap();
        let started = std::time::Instant::now();
        for n in 0..6 {
            let lock = if n % 2 == 0 { &app } else { &cli };
            let lease = lock.acquire(Duration::from_secs(5)).await.unwrap();
            lease.pace(10).await;
        }
        // Six slots at 10 a second: the sixth is at least 500 ms after the first.
        assert!(
            started.elapsed() >= Duration::from_millis(480),
            "{:?}",
            started.elapsed()
        );
    }
}
