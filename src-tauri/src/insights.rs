//! Commands for the Insights screen.

use tauri::State;
use tidings_engine::{ExportedFile, InsightsReport};

use crate::commands::Reply;
use crate::AppState;

#[tauri::command]
pub async fn get_insights(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Reply<InsightsReport> {
    state
        .engine()?
        .insights(&from, &to)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn export_insights(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Reply<ExportedFile> {
    let folder = crate::commands::export_folder()?;
    state
        .engine()?
        .export_insights(&from, &to, &folder)
        .map_err(|e| e.payload())
}
