//! Commands for the reply inbox.

use tauri::State;
use tidings_engine::domain::WriteSource;
use tidings_engine::{InboxCounts, InboxFilter, InboxSearchHit, InboxView, ThreadView};

use crate::commands::{Reply, DESK};
use crate::AppState;

#[tauri::command]
pub async fn get_inbox(state: State<'_, AppState>, filter: InboxFilter) -> Reply<InboxView> {
    state.engine()?.inbox(filter).map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_inbox_counts(state: State<'_, AppState>) -> Reply<InboxCounts> {
    state.engine()?.inbox_counts().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn open_thread(state: State<'_, AppState>, id: i64) -> Reply<ThreadView> {
    state
        .engine()?
        .open_thread(id, WriteSource::Ui)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn reply_in_thread(
    state: State<'_, AppState>,
    id: i64,
    body: String,
) -> Reply<ThreadView> {
    state
        .engine()?
        .reply_in_thread(id, &body, WriteSource::Ui, DESK)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn resolve_thread(
    state: State<'_, AppState>,
    id: i64,
    resolved: bool,
) -> Reply<ThreadView> {
    state
        .engine()?
        .resolve_thread(id, resolved, WriteSource::Ui)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn assign_thread(
    state: State<'_, AppState>,
    id: i64,
    assignee: String,
) -> Reply<ThreadView> {
    state
        .engine()?
        .assign_thread(id, &assignee, WriteSource::Ui)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn review_possible_opt_out(
    state: State<'_, AppState>,
    id: i64,
    record: bool,
    recorded_by: String,
) -> Reply<ThreadView> {
    state
        .engine()?
        .review_possible_opt_out(id, record, &recorded_by, WriteSource::Ui)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn create_client_from_thread(
    state: State<'_, AppState>,
    id: i64,
    name: String,
) -> Reply<ThreadView> {
    state
        .engine()?
        .create_client_from_thread(id, &name, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn search_inbox(state: State<'_, AppState>, query: String) -> Reply<Vec<InboxSearchHit>> {
    state
        .engine()?
        .search_inbox(&query)
        .map_err(|e| e.payload())
}
