//! Calendar feeds: a booking system's ICS address (Google Calendar's secret iCal address, an
//! Acuity, Square, Vagaro or Fresha calendar feed) or a folder it saves CSV exports into, read
//! every 15 minutes and on demand through the same importer as a file. A booking of the feed's
//! that disappears from it is cancelled here ("removed from Google Calendar"), and its texts
//! with it. Fetching a feed is the only network use besides the SMS provider.
//!
//! An ICS address is a password in all but name (anyone holding Google's secret address reads
//! the calendar), so it is kept in the OS keyring like a provider secret; the database keeps a
//! form with the secret part hidden.

mod address;
mod fetch;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::{Change, WriteSource};
use tidings_sms::{SecretError, Sensitive};
use tidings_store::{FeedChanges, FeedKind as StoredKind, FeedRow, RemovedAppointment};
use ts_rs::TS;

use self::address::{parse_address, service_name, shown_address, Source};
use crate::appointment_import::{AppointmentImportOptions, AppointmentOutcome, MissingAppointment};
use crate::error::bad_input;
use crate::{AppointmentImportReport, Engine, EngineError};

/// How often each feed is read.
pub const FEED_EVERY_MINUTES: i64 = 15;
/// The largest feed read (a year of a busy calendar is well under 2 MB).
pub const MAX_FEED_BYTES: usize = 10 * 1024 * 1024;

/// What a feed reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum FeedKind {
    /// An ICS calendar address.
    IcsUrl,
    /// A folder a booking system saves its CSV (or ICS) export into; the newest file is read.
    CsvFolder,
}

/// What one read changed here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeedChangeCounts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Marked cancelled in the feed.
    pub cancelled: u32,
    /// Gone from the feed, so cancelled here.
    pub removed: u32,
    /// Rows or events that could not be imported (each with its reason in the read's report).
    pub skipped: u32,
    /// Events with no phone number to find the client by.
    pub no_client: u32,
}

/// A feed as the desk sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Feed {
    pub id: i64,
    pub kind: FeedKind,
    /// "Google Calendar", or the folder's name.
    pub name: String,
    /// The address with its secret part hidden, or the folder.
    pub shown: String,
    pub created_at: DateTime<Utc>,
    pub last_read_at: Option<DateTime<Utc>>,
    pub last_ok_at: Option<DateTime<Utc>>,
    /// What the last read that worked changed.
    pub last_result: Option<FeedChangeCounts>,
    /// Why the last read failed; none when it worked.
    pub problem: Option<String>,
    pub next_read_at: DateTime<Utc>,
}

/// One read of one feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeedRead {
    pub feed_id: i64,
    pub name: String,
    /// What changed, when the read worked.
    pub changes: Option<FeedChangeCounts>,
    /// Why nothing changed, when it did not.
    pub problem: Option<String>,
    /// The importer's report (rows skipped and why, events with no client).
    pub report: Option<AppointmentImportReport>,
    /// The bookings it cancelled because they were gone from the feed.
    pub removed: Vec<MissingAppointment>,
}

/// A feed to add: an address or a folder, and what to call it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FeedInput {
    /// An `https://` or `webcal://` calendar address, or a folder on this computer.
    pub address: String,
    /// What to call it; named after the calendar service or folder when empty.
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
}

fn keyring_account(id: i64) -> String {
    format!("feed-{id}")
}

fn ours(kind: StoredKind) -> FeedKind {
    match kind {
        StoredKind::IcsUrl => FeedKind::IcsUrl,
        StoredKind::CsvFolder => FeedKind::CsvFolder,
    }
}

impl Engine {
    /// Every feed, with its last read.
    pub fn feeds(&self) -> Result<Vec<Feed>, EngineError> {
        Ok(self
            .store
            .feeds()?
            .into_iter()
            .map(|f| self.feed_view(f))
            .collect())
    }

    fn feed_view(&self, f: FeedRow) -> Feed {
        let next_read_at = f
            .last_read_at
            .map(|t| t + Duration::minutes(FEED_EVERY_MINUTES))
            .unwrap_or_else(|| self.now());
        Feed {
            id: f.id,
            kind: ours(f.kind),
            name: f.name,
            shown: f.shown,
            created_at: f.created_at,
            last_read_at: f.last_read_at,
            last_ok_at: f.last_ok_at,
            last_result: f
                .last_result
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            problem: f.last_error,
            next_read_at,
        }
    }

    /// Adds a feed after reading it once: an address that cannot be read is refused with why,
    /// and nothing is kept. Returns the feed and what its first read did.
    pub async fn add_feed(
        &self,
        input: &FeedInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<(Feed, FeedRead), EngineError> {
        let settings = self.settings()?;
        if settings.phone_region.is_empty() {
            return Err(EngineError::SetupRequired);
        }
        let place = parse_address(&input.address)?;
        let (kind, default_name, shown, folder) = match &place {
            Source::Url(url) => (
                StoredKind::IcsUrl,
                service_name(url),
                shown_address(url),
                None,
            ),
            Source::Folder(path) => (
                StoredKind::CsvFolder,
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string()),
                path.display().to_string(),
                Some(path.display().to_string()),
            ),
        };
        let name = input
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(60).collect::<String>())
            .unwrap_or(default_name);
        if self
            .store
            .feeds()?
            .iter()
            .any(|f| f.folder.is_some() && f.folder == folder)
        {
            return Err(bad_input("address", format!("{shown} is already a feed.")));
        }
        // An address is read before it is kept, so a wrong one is refused at once.
        if let Source::Url(url) = &place {
            let bytes = self
                .fetch_calendar(&name, url)
                .await
                .map_err(|problem| bad_input("address", problem))?;
            // Checked against the importer too: a calendar it cannot read at all is refused.
            self.plan_appointments(&bytes, &AppointmentImportOptions::default(), None)
                .map_err(|err| bad_input("address", format!("{name}: {err}")))?;
        }
        // The keyring must be there before anything is kept.
        if matches!(place, Source::Url(_)) {
            self.keyring.state()?;
        }
        let id = self.store.insert_feed(
            kind,
            &name,
            &shown,
            folder.as_deref(),
            self.now(),
            self.audit(actor, source, "feed", "add"),
        )?;
        if let Source::Url(url) = &place {
            if let Err(err) = self
                .keyring
                .set(&keyring_account(id), &Sensitive::new(url.to_string()))
            {
                let _ = self
                    .store
                    .delete_feed(id, self.audit(actor, source, "feed", "remove"));
                return Err(err.into());
            }
        }
        self.publish(source, vec![Change::Feeds]);
        let read = self.sync_feed(id, source, actor).await?;
        // The schedule counts the new feed from now.
        self.feed_wake.notify_one();
        let feed = self
            .store
            .feed(id)?
            .map(|f| self.feed_view(f))
            .ok_or_else(|| EngineError::NotFound("That feed was removed meanwhile.".into()))?;
        Ok((feed, read))
    }

    /// Removes a feed. The bookings it brought stay; they are no longer kept up to date.
    pub fn remove_feed(
        &self,
        id: i64,
        source: WriteSource,
        actor: &str,
    ) -> Result<(), EngineError> {
        let Some(feed) = self.store.feed(id)? else {
            return Err(EngineError::NotFound(format!(
                "There is no feed {id}. It may have been removed already; reload the list."
            )));
        };
        if feed.kind == StoredKind::IcsUrl {
            match self.keyring.delete(&keyring_account(id)) {
                Ok(()) | Err(SecretError::Missing) => {}
                Err(err) => return Err(err.into()),
            }
        }
        self.store
            .delete_feed(id, self.audit(actor, source, "feed", "remove"))?;
        self.publish(source, vec![Change::Feeds, Change::Appointments]);
        Ok(())
    }

    /// Reads every feed now.
    pub async fn sync_feeds(
        &self,
        source: WriteSource,
        actor: &str,
    ) -> Result<Vec<FeedRead>, EngineError> {
        let mut reads = Vec::new();
        for feed in self.store.feeds()? {
            reads.push(self.sync_feed(feed.id, source, actor).await?);
        }
        Ok(reads)
    }

    /// Reads the feeds whose time has come (every 15 minutes each).
    pub async fn sync_due_feeds(&self) -> Result<Vec<FeedRead>, EngineError> {
        let mut reads = Vec::new();
        for feed in self.store.feeds()? {
            if let Some(read) = self
                .read_feed_once(feed.id, WriteSource::Background, "feed", true)
                .await?
            {
                reads.push(read);
            }
        }
        Ok(reads)
    }

    /// Whether a feed last read at `last` is due to be read again.
    fn feed_due(&self, last: Option<DateTime<Utc>>) -> bool {
        let now = self.now();
        // A read "in the future" (the clock set back) is due too.
        last.is_none_or(|t| now - t >= Duration::minutes(FEED_EVERY_MINUTES) || t > now)
    }

    /// When the next feed is due to be read, if there are feeds.
    pub fn next_feed_read(&self) -> Result<Option<DateTime<Utc>>, EngineError> {
        Ok(self.feeds()?.into_iter().map(|f| f.next_read_at).min())
    }

    /// Reads one feed now and imports what changed. A read that fails changes nothing and
    /// says why (also kept on the feed, for Today); only a failure to write here is an error.
    pub async fn sync_feed(
        &self,
        id: i64,
        source: WriteSource,
        actor: &str,
    ) -> Result<FeedRead, EngineError> {
        self.read_feed_once(id, source, actor, false)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("There is no feed {id}.")))
    }

    /// One read of a feed; with `only_if_due`, none (`Ok(None)`) when it is not due (another
    /// read got there first, or the desk is adding it and reads it themselves).
    async fn read_feed_once(
        &self,
        id: i64,
        source: WriteSource,
        actor: &str,
        only_if_due: bool,
    ) -> Result<Option<FeedRead>, EngineError> {
        // One read at a time in this process, and the feed looked at again once it is ours:
        // the desk adding a feed and the schedule must not read it twice over.
        let _one = self.feed_reading.lock().await;
        let Some(feed) = self.store.feed(id)? else {
            return Err(EngineError::NotFound(format!(
                "There is no feed {id}. It may have been removed; reload the list."
            )));
        };
        if only_if_due && (!self.feed_due(feed.last_read_at) || self.adding_feed(&feed)) {
            return Ok(None);
        }
        let read = match self.read_feed(&feed).await {
            Ok(bytes) => self.import_feed(&feed, &bytes, source, actor),
            Err(problem) => Err(problem),
        };
        let now = self.now();
        let read = match read {
            Ok(read) => read,
            Err(problem) => FeedRead {
                feed_id: feed.id,
                name: feed.name.clone(),
                changes: None,
                problem: Some(problem),
                report: None,
                removed: Vec::new(),
            },
        };
        match (&read.problem, &read.changes) {
            (Some(problem), _) => {
                tracing::warn!(feed = feed.id, "calendar feed not read: {problem}");
                self.store.record_feed_read(id, now, Err(problem))?;
            }
            (None, changes) => {
                let json =
                    serde_json::to_string(&changes.clone().unwrap_or_default()).unwrap_or_default();
                self.store.record_feed_read(id, now, Ok(&json))?;
            }
        }
        self.publish(source, vec![Change::Feeds]);
        Ok(Some(read))
    }

    /// A feed just added and not read yet is read by the desk's own request, not the schedule.
    fn adding_feed(&self, feed: &FeedRow) -> bool {
        feed.last_read_at.is_none() && self.now() - feed.created_at < Duration::minutes(1)
    }
    /// Imports one read of a feed in one transaction and re-plans the texts.
    fn import_feed(
        &self,
        feed: &FeedRow,
        bytes: &[u8],
        source: WriteSource,
        actor: &str,
    ) -> Result<FeedRead, String> {
        let plan = self
            .plan_appointments(bytes, &AppointmentImportOptions::default(), Some(feed.id))
            .map_err(|err| format!("{}: {err}", feed.name))?;
        let mut report = plan.report;
        let removed_list = std::mem::take(&mut report.missing);
        let read_nothing = plan.rows.is_empty();
        if read_nothing && !removed_list.is_empty() {
            // An empty answer is far likelier a hiccup at the source than a day on which
            // every booking was cancelled.
            return Err(format!(
                "{} had no bookings at all this time, so nothing was cancelled here ({} booking{} would have been). If the calendar really is empty now, remove the feed and cancel them here.",
                feed.name,
                removed_list.len(),
                if removed_list.len() == 1 { "" } else { "s" }
            ));
        }
        let unchanged: Vec<i64> = plan
            .rows
            .iter()
            .filter_map(|r| match r.outcome {
                AppointmentOutcome::Unchanged { appointment_id } => Some(appointment_id),
                _ => None,
            })
            .collect();
        let note = format!("removed from {}", feed.name);
        let removed: Vec<RemovedAppointment> = removed_list
            .iter()
            .map(|m| RemovedAppointment {
                id: m.appointment_id,
                note: note.clone(),
            })
            .collect();
        let changes = FeedChangeCounts {
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            cancelled: report.cancelled,
            removed: u32::try_from(removed.len()).unwrap_or(u32::MAX),
            skipped: u32::try_from(report.skipped.len()).unwrap_or(u32::MAX),
            no_client: u32::try_from(report.no_client.len()).unwrap_or(u32::MAX),
        };
        let writes_anything =
            !plan.writes.is_empty() || !removed.is_empty() || !unchanged.is_empty();
        if writes_anything {
            let write = || -> Result<u32, EngineError> {
                let created = self.store.apply_appointment_import(
                    &plan.writes,
                    Some(FeedChanges {
                        feed_id: feed.id,
                        unchanged: &unchanged,
                        removed: &removed,
                    }),
                    self.now(),
                    self.audit(actor, source, "feed", "read"),
                    serde_json::json!({ "feed": feed.id, "changes": &changes }),
                )?;
                if !plan.writes.is_empty() || !removed.is_empty() {
                    self.carry_number_opt_outs()?;
                    self.replan_all()?;
                    let gone: Vec<i64> = removed.iter().map(|r| r.id).collect();
                    self.replan_ended(&plan.rows, &gone)?;
                    self.publish(source, vec![Change::Appointments, Change::Clients]);
                }
                Ok(created)
            };
            report.clients_created = write().map_err(|err| {
                format!(
                    "{} was read, but saving what it changed failed: {err}",
                    feed.name
                )
            })?;
        }
        Ok(FeedRead {
            feed_id: feed.id,
            name: feed.name.clone(),
            changes: Some(changes),
            problem: None,
            report: Some(report),
            removed: removed_list,
        })
    }

    /// Reads each feed when its time comes, and at once when a feed is added or the desk asks.
    pub fn spawn_feed_reader(self: std::sync::Arc<Self>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(err) = self.sync_due_feeds().await {
                    tracing::error!("reading calendar feeds failed: {err}");
                }
                let wait = match self.next_feed_read() {
                    Ok(Some(at)) => (at - self.now())
                        .to_std()
                        .unwrap_or_default()
                        .max(StdDuration::from_secs(5)),
                    _ => StdDuration::from_secs(60 * FEED_EVERY_MINUTES as u64),
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.feed_wake.notified() => {}
                }
            }
        })
    }
}
