//! The Engine value.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tidings_domain::{
    country_of_zone, desk_zones, validate_phone_region, Change, ChangeBatch, ProviderKind,
    RegionInfo, Settings, SettingsUpdate, SetupInput, WriteSource, ZoneInfo,
};
use tidings_sms::{Keyring, Provider, SandboxProvider};
use tidings_store::{schema_version_supported, NewAuditEntry, Store};
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::insights::INSIGHTS_WARM_DAYS;
use crate::{system, Clock, EngineError, SystemClock};

/// How to start an engine.
#[derive(Clone)]
pub struct EngineConfig {
    pub db_path: PathBuf,
    pub clock: Arc<dyn Clock>,
    /// Where provider secrets live: the OS keyring, or a mock store in unit tests.
    pub keyring: Keyring,
    /// Wraps every provider the engine uses. Tests put the network's faults (lost answers,
    /// refusals, a process stopping mid-call) between the engine and a real provider with it.
    pub wrap_provider: Option<ProviderWrap>,
    /// How long a calendar feed may take to answer.
    pub feed_timeout: std::time::Duration,
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("db_path", &self.db_path)
            .field("keyring", &self.keyring)
            .field("wrap_provider", &self.wrap_provider.is_some())
            .finish_non_exhaustive()
    }
}

/// See [`EngineConfig::wrap_provider`].
pub type ProviderWrap = Arc<dyn Fn(Arc<dyn Provider>) -> Arc<dyn Provider> + Send + Sync>;

impl EngineConfig {
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            clock: Arc::new(SystemClock),
            keyring: Keyring::os(),
            wrap_provider: None,
            feed_timeout: std::time::Duration::from_secs(20),
        }
    }
}

/// What first-run setup offers: the computer's own zone and region where it has them, and the
/// lists to pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetupDefaults {
    pub timezone: Option<String>,
    pub phone_region: Option<String>,
    /// The zones to choose from: places, not aliases (see `tidings_domain::zones`).
    pub zones: Vec<ZoneInfo>,
    pub regions: Vec<RegionInfo>,
}

/// The health of an installation, as `tidings-cli doctor` and the Settings screen show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DoctorReport {
    pub db_path: String,
    pub schema_version: u32,
    pub schema_version_supported: u32,
    pub provider: ProviderKind,
    /// True while texts go to the built-in simulated carrier and nothing leaves the machine.
    pub sandbox: bool,
    pub setup_complete: bool,
    pub business_name: String,
    /// The OS keyring's state as far as sending needs it. The Sandbox needs no secrets.
    pub keyring: String,
    pub version: String,
    /// The commit this app was built from (see [`crate::about`]).
    pub build: String,
    /// "release" or "debug".
    pub profile: String,
}

const CHANGE_CHANNEL_CAPACITY: usize = 256;
/// How often the app looks for writes other processes made (a command-line import shows
/// within a second).
const CHANGE_WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

pub struct Engine {
    pub(crate) store: Arc<Store>,
    clock: Arc<dyn Clock>,
    /// The provider in use; replaced when the desk connects or disconnects an account.
    provider: std::sync::RwLock<Arc<dyn Provider>>,
    sandbox: Arc<SandboxProvider>,
    wrap_provider: Option<ProviderWrap>,
    pub(crate) keyring: Keyring,
    /// One sender at a time per database, across processes (see `lease`).
    pub(crate) sender: crate::lease::SenderLock,
    /// Whether someone is looking at the window (replies are read more often then).
    pub(crate) window_open: std::sync::atomic::AtomicBool,
    /// When a text last went out (Unix seconds), for the reply poller's pace.
    pub(crate) last_sent: std::sync::atomic::AtomicI64,
    /// Reply polls that failed in a row (for backoff).
    pub(crate) poll_failures: std::sync::atomic::AtomicU32,
    changes: broadcast::Sender<ChangeBatch>,
    /// Wakes the scheduler when anything changes.
    pub(crate) wake: Arc<tokio::sync::Notify>,
    /// Set while a restore replaces the data: the scheduler sends nothing.
    pub(crate) paused: std::sync::atomic::AtomicBool,
    /// Wakes the feed reader (a feed added, a read asked for).
    pub(crate) feed_wake: Arc<tokio::sync::Notify>,
    /// One feed read at a time in this process.
    pub(crate) feed_reading: tokio::sync::Mutex<()>,
    pub(crate) feed_timeout: std::time::Duration,
    /// This process's name in the change log (random per open), so its own events are told
    /// from other processes'.
    origin: String,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .field("provider", &self.provider().kind())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the database (checking, migrating) and starts with the configured provider.
    pub fn open(config: EngineConfig) -> Result<Self, EngineError> {
        let store = Arc::new(Store::open(&config.db_path)?);
        let clock = config.clock;
        let now_clock = clock.clone();
        let sandbox = Arc::new(SandboxProvider::new(
            store.clone(),
            Arc::new(move || now_clock.now()),
        ));
        let (changes, _) = broadcast::channel(CHANGE_CHANNEL_CAPACITY);
        let engine = Self {
            store,
            clock,
            provider: std::sync::RwLock::new(sandbox.clone()),
            sandbox,
            wrap_provider: config.wrap_provider,
            keyring: config.keyring,
            sender: crate::lease::SenderLock::open(&config.db_path)?,
            window_open: std::sync::atomic::AtomicBool::new(false),
            last_sent: std::sync::atomic::AtomicI64::new(0),
            poll_failures: std::sync::atomic::AtomicU32::new(0),
            changes,
            wake: Arc::new(tokio::sync::Notify::new()),
            paused: std::sync::atomic::AtomicBool::new(false),
            feed_wake: Arc::new(tokio::sync::Notify::new()),
            feed_reading: tokio::sync::Mutex::new(()),
            feed_timeout: config.feed_timeout,
            origin: format!("{:016x}", fastrand::u64(..)),
        };
        engine.ensure_default_templates()?;
        engine.load_provider()?;
        Ok(engine)
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The provider texts go through right now.
    pub fn provider(&self) -> Arc<dyn Provider> {
        match self.provider.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn set_provider(&self, provider: Arc<dyn Provider>) {
        let provider = match &self.wrap_provider {
            Some(wrap) => wrap(provider),
            None => provider,
        };
        match self.provider.write() {
            Ok(mut p) => *p = provider,
            Err(poisoned) => *poisoned.into_inner() = provider,
        }
    }

    pub(crate) fn sandbox_provider(&self) -> Arc<SandboxProvider> {
        self.sandbox.clone()
    }

    /// The Sandbox carrier, while it is the provider.
    pub fn sandbox(&self) -> Option<&SandboxProvider> {
        (self.provider().kind() == ProviderKind::Sandbox).then_some(self.sandbox.as_ref())
    }

    /// Change batches from now on. Every write the engine commits sends exactly one.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeBatch> {
        self.changes.subscribe()
    }

    pub(crate) fn publish(&self, source: WriteSource, changes: Vec<Change>) {
        if changes.is_empty() {
            return;
        }
        let batch = ChangeBatch { source, changes };
        // Written down for other processes on this database (an open window, when this is the
        // command line). Best effort: the write itself is committed already, and a window that
        // misses the event still sees the database move and reloads what it shows.
        match serde_json::to_string(&batch) {
            Ok(json) => {
                if let Err(err) = self.store.log_changes(&self.origin, &json, self.now()) {
                    tracing::warn!("could not record a change for other windows: {err}");
                }
            }
            Err(err) => tracing::warn!("could not record a change for other windows: {err}"),
        }
        self.announce(batch);
    }

    /// Tells this process's subscribers (the window) and wakes the scheduler.
    fn announce(&self, batch: ChangeBatch) {
        // No subscriber (the command line) is fine: nobody needs telling.
        let _ = self.changes.send(batch);
        self.wake.notify_one();
    }

    /// Watches for writes other processes make to the database (a command-line import or
    /// tick while the app is open) and announces them as if they were this process's own:
    /// the events they logged, or, when a write came without any (another program), every
    /// kind of change, so what is shown is read again. Checks twice a second; runs until the
    /// engine is dropped.
    pub fn spawn_change_watcher(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut version = self.store.data_version().ok();
            let mut cursor = self.store.last_change_id().unwrap_or(0);
            loop {
                tokio::time::sleep(CHANGE_WATCH_EVERY).await;
                if let Err(err) = self.announce_foreign_changes(&mut version, &mut cursor) {
                    tracing::warn!("could not read other processes' changes: {err}");
                }
            }
        })
    }

    /// One look for other processes' writes (see [`Engine::spawn_change_watcher`]).
    pub fn announce_foreign_changes(
        &self,
        version: &mut Option<i64>,
        cursor: &mut i64,
    ) -> Result<usize, EngineError> {
        let now = self.store.data_version()?;
        if *version == Some(now) {
            return Ok(0);
        }
        *version = Some(now);
        let (batches, newest) = self.store.changes_since(*cursor, &self.origin)?;
        *cursor = newest;
        let mut announced = 0;
        for json in batches {
            match serde_json::from_str::<ChangeBatch>(&json) {
                Ok(batch) => {
                    self.announce(batch);
                    announced += 1;
                }
                Err(err) => {
                    tracing::warn!("a change another process recorded is unreadable: {err}")
                }
            }
        }
        if announced == 0 {
            // Someone wrote without saying what (another program, or a version before the
            // change log): read everything again.
            self.announce(ChangeBatch {
                source: WriteSource::Cli,
                changes: Change::everything(),
            });
            announced = 1;
        }
        Ok(announced)
    }

    pub fn settings(&self) -> Result<Settings, EngineError> {
        Ok(self.store.load_settings()?)
    }

    pub fn setup_defaults(&self) -> SetupDefaults {
        let timezone = system::timezone();
        // A computer whose locale names no country (C.UTF-8) still says where it is by its zone.
        let phone_region = system::phone_region().or_else(|| {
            timezone
                .as_deref()
                .and_then(country_of_zone)
                .and_then(|c| validate_phone_region(c).ok())
        });
        SetupDefaults {
            timezone,
            phone_region,
            zones: desk_zones(),
            regions: RegionInfo::all(),
        }
    }

    /// Completes first-run setup (or repeats it: the answers simply replace the old ones).
    pub fn complete_setup(
        &self,
        input: &SetupInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<Settings, EngineError> {
        let current = self.settings()?;
        let next = current.complete_setup(input, self.now())?;
        self.save(&next, source, actor, "setup")?;
        Ok(next)
    }

    /// Changes settings; nothing is written unless every field is valid.
    pub fn update_settings(
        &self,
        update: &SettingsUpdate,
        source: WriteSource,
        actor: &str,
    ) -> Result<Settings, EngineError> {
        let current = self.settings()?;
        let next = current.apply(update)?;
        self.save(&next, source, actor, "update")?;
        Ok(next)
    }

    fn save(
        &self,
        next: &Settings,
        source: WriteSource,
        actor: &str,
        action: &str,
    ) -> Result<(), EngineError> {
        let changed = self
            .store
            .save_settings(next, self.audit(actor, source, "settings", action))?;
        if !changed.is_empty() {
            let mut changes = vec![Change::Settings];
            if !next.business_phone.is_empty() && self.revive_for_business_phone()? {
                changes.push(Change::Messages);
            }
            self.publish(source, changes);
            if self.store.rules()?.iter().any(|r| r.enabled) {
                self.replan_all()?;
            }
        }
        Ok(())
    }

    pub fn doctor(&self) -> Result<DoctorReport, EngineError> {
        let settings = self.settings()?;
        let provider = self.provider().kind();
        Ok(DoctorReport {
            db_path: self.store.path().display().to_string(),
            schema_version: self.store.schema_version()?,
            schema_version_supported: schema_version_supported(),
            provider,
            sandbox: provider == ProviderKind::Sandbox,
            setup_complete: settings.is_setup_complete(),
            business_name: settings.business_name,
            keyring: match self.keyring.state() {
                Ok(_) if provider == ProviderKind::Sandbox => {
                    "available (not needed in Sandbox mode)".to_owned()
                }
                Ok(_) => "available".to_owned(),
                Err(_) if provider == ProviderKind::Sandbox => {
                    "unavailable (not needed in Sandbox mode)".to_owned()
                }
                Err(err) => err.to_string(),
            },
            version: crate::about::VERSION.to_owned(),
            build: crate::about::BUILD.to_owned(),
            profile: crate::about::PROFILE.to_owned(),
        })
    }

    /// Runs the scheduler until the engine is dropped: one pass now, then sleeps until the next
    /// send time or until anything changes (no polling; at most 5 minutes between passes, so a
    /// computer waking from sleep catches up).
    pub fn spawn_scheduler(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut insights_warmed = None;
            loop {
                // Insights' day totals are counted in the background once a day (a month of
                // days per database read), so the screen opens at once.
                let today = self.now().date_naive();
                if insights_warmed != Some(today) {
                    insights_warmed = Some(today);
                    let engine = self.clone();
                    tokio::task::spawn_blocking(move || {
                        if let Err(err) = engine.warm_insights(INSIGHTS_WARM_DAYS) {
                            tracing::warn!("counting Insights' day totals failed: {err}");
                        }
                    });
                }
                if let Err(err) = self.tick().await {
                    tracing::error!("scheduler pass failed: {err}");
                }
                if let Err(err) = self.backup_if_due() {
                    tracing::error!("the daily backup failed: {err}");
                }
                // Sent texts waiting for a delivery report are asked about every half minute;
                // replies are polled at the poller's own pace.
                let mut most = self.reply_poll_interval();
                if self.awaiting_delivery().unwrap_or(false) {
                    // Soon after a send the desk is often watching for "delivered" (a test
                    // text, an answer): asked every 5 s for two minutes, then every 30 s.
                    let fresh = self.sent_within(chrono::Duration::minutes(2));
                    most = most.min(std::time::Duration::from_secs(if fresh { 5 } else { 30 }));
                }
                // A text whose send had no clear answer is checked again once the provider's
                // records have had time to show it.
                if self.has_unsettled() {
                    most = most.min(self.records_lag().max(std::time::Duration::from_secs(1)));
                }
                let wait = match self.next_due() {
                    Ok(Some(at)) => (at - self.now()).to_std().unwrap_or_default().min(most),
                    _ => most,
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.wake.notified() => {}
                }
            }
        })
    }

    /// The audit entry for a write made now; the store fills in the detail.
    pub(crate) fn audit<'a>(
        &self,
        actor: &'a str,
        source: WriteSource,
        entity: &'a str,
        action: &'a str,
    ) -> NewAuditEntry<'a> {
        NewAuditEntry {
            at: self.now(),
            actor,
            source,
            entity,
            entity_id: None,
            action,
            detail: serde_json::Value::Null,
        }
    }

    /// A small remembered value (what the shell has told the user, and the like).
    pub fn kv(&self, key: &str) -> Result<Option<String>, EngineError> {
        Ok(self.store.kv_get(key)?)
    }

    pub fn set_kv(&self, key: &str, value: &str) -> Result<(), EngineError> {
        Ok(self.store.kv_set(key, value, self.now())?)
    }

    /// Recent audit entries, newest first.
    pub fn recent_audit(&self, limit: u32) -> Result<Vec<tidings_store::AuditEntry>, EngineError> {
        Ok(self.store.recent_audit(limit)?)
    }
}
