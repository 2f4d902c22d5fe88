//! The engine as the window sees it. If the database can't be opened at start, the window still
//! opens and shows why; each later command tries again, so moving a damaged file aside and
//! pressing "Try again" recovers without a restart.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, Manager};
use tidings_engine::domain::{Change, ChangeBatch, WriteSource};
use tidings_engine::{paths, Engine, EngineConfig, ErrorCode, ErrorPayload};
use tokio::sync::broadcast::error::RecvError;

use crate::CHANGES_EVENT;

pub struct AppState {
    db_path: Option<PathBuf>,
    /// The file last handed over for import: its token and bytes.
    staged: Mutex<Option<(u32, Arc<Vec<u8>>)>>,
    engine: Mutex<Option<Arc<Engine>>>,
    /// Wakes the change forwarder when the engine first opens.
    opened: tokio::sync::watch::Sender<Option<Arc<Engine>>>,
}

impl AppState {
    pub fn from_environment() -> Self {
        let (opened, _) = tokio::sync::watch::channel(None);
        let state = Self {
            db_path: paths::db_path_from_args(std::env::args_os().skip(1))
                .or_else(paths::default_db_path),
            engine: Mutex::new(None),
            staged: Mutex::new(None),
            opened,
        };
        if let Err(err) = state.engine() {
            tracing::error!(code = ?err.code, "the database could not be opened: {}", err.message);
        }
        state
    }

    /// The engine, opening it if it is not open yet.
    pub fn engine(&self) -> Result<Arc<Engine>, ErrorPayload> {
        let mut slot = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(engine) = slot.as_ref() {
            return Ok(engine.clone());
        }
        let db_path = self.db_path.clone().ok_or_else(|| ErrorPayload::new(ErrorCode::DataFolder, "This computer has no per-user data folder for Tidings. Set XDG_DATA_HOME or TIDINGS_DB to a folder you can write to."))?;
        let engine = Arc::new(Engine::open(EngineConfig::new(db_path)).map_err(|e| e.payload())?);
        *slot = Some(engine.clone());
        engine.set_window_open(true);
        // The scheduler runs for as long as the app does.
        let scheduler = engine.clone();
        tauri::async_runtime::spawn(async move {
            let _ = scheduler.spawn_scheduler().await;
        });
        // So does the calendar feed reader (it reads nothing until a feed is added).
        let feeds = engine.clone();
        tauri::async_runtime::spawn(async move {
            let _ = feeds.spawn_feed_reader().await;
        });
        // And the watch for writes other processes make (a command-line import or tick).
        let watcher = engine.clone();
        tauri::async_runtime::spawn(async move {
            let _ = watcher.spawn_change_watcher().await;
        });
        self.opened.send_replace(Some(engine.clone()));
        Ok(engine)
    }
}

impl AppState {
    /// Keeps a file for import, replacing any earlier one, and returns its token.
    pub fn stage(&self, bytes: Vec<u8>) -> tidings_engine::StagedFile {
        let mut slot = self.staged.lock().unwrap_or_else(|p| p.into_inner());
        let token = slot.as_ref().map_or(1, |(t, _)| t.wrapping_add(1));
        let size = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        *slot = Some((token, Arc::new(bytes)));
        tidings_engine::StagedFile { token, bytes: size }
    }

    /// The staged file with this token.
    pub fn staged(&self, token: u32) -> Result<Arc<Vec<u8>>, ErrorPayload> {
        let slot = self.staged.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some((t, bytes)) if *t == token => Ok(bytes.clone()),
            _ => Err(ErrorPayload::new(
                ErrorCode::NotFound,
                "That file is no longer loaded (another file was chosen since). Choose it again.",
            )),
        }
    }

    pub fn unstage(&self, token: u32) {
        let mut slot = self.staged.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_some_and(|(t, _)| *t == token) {
            *slot = None;
        }
    }
}

/// Sends every change batch the engine publishes to the window as one event.
pub fn forward_changes(app: AppHandle) {
    let mut opened = app.state::<AppState>().opened.subscribe();
    tauri::async_runtime::spawn(async move {
        let engine = loop {
            if let Some(engine) = opened.borrow_and_update().clone() {
                break engine;
            }
            if opened.changed().await.is_err() {
                return;
            }
        };
        let mut changes = engine.subscribe();
        loop {
            let batch = match changes.recv().await {
                Ok(batch) => batch,
                // Fell behind: tell the window to read again everything it shows.
                Err(RecvError::Lagged(_)) => ChangeBatch {
                    source: WriteSource::Background,
                    changes: Change::everything(),
                },
                Err(RecvError::Closed) => return,
            };
            if let Err(err) = app.emit(CHANGES_EVENT, &batch) {
                tracing::warn!("could not send a change event to the window: {err}");
            }
            for change in &batch.changes {
                if let Change::Reply { from, preview, .. } = change {
                    crate::tray::notify_reply(&app, from, preview);
                }
            }
            if batch.changes.iter().any(|c| {
                matches!(
                    c,
                    Change::Settings | Change::Reply { .. } | Change::Thread { .. }
                )
            }) {
                // Sending may have been paused or resumed, or the unread count moved: the
                // tray follows.
                crate::tray::refresh(&app);
            }
        }
    });
}
