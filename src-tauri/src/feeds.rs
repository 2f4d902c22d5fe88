//! Commands for Settings → Calendar feeds and Today's feed status.

use tauri::State;
use tidings_engine::domain::WriteSource;
use tidings_engine::{Feed, FeedInput, FeedRead};

use crate::commands::{Reply, DESK};
use crate::AppState;

#[tauri::command]
pub async fn list_feeds(state: State<'_, AppState>) -> Reply<Vec<Feed>> {
    state.engine()?.feeds().map_err(|e| e.payload())
}

/// Adds a feed after reading it once; a feed that cannot be read is refused with why.
#[tauri::command]
pub async fn add_feed(state: State<'_, AppState>, input: FeedInput) -> Reply<FeedRead> {
    state
        .engine()?
        .add_feed(&input, WriteSource::Ui, DESK)
        .await
        .map(|(_, read)| read)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn sync_feed(state: State<'_, AppState>, id: i64) -> Reply<FeedRead> {
    state
        .engine()?
        .sync_feed(id, WriteSource::Ui, DESK)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn remove_feed(state: State<'_, AppState>, id: i64) -> Reply<()> {
    let engine = state.engine()?;
    tauri::async_runtime::spawn_blocking(move || engine.remove_feed(id, WriteSource::Ui, DESK))
        .await
        .map_err(|e| {
            tidings_engine::ErrorPayload::new(tidings_engine::ErrorCode::Internal, e.to_string())
        })?
        .map_err(|e| e.payload())
}
