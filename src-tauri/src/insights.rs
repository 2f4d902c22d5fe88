//! Commands for the Insights screen.

use tauri::State;
use tidings_engine::{ErrorCode, ErrorPayload, ExportedFile, InsightsReport};

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
    let folder = tidings_engine::paths::export_folder().ok_or_else(|| {
        ErrorPayload::new(
            ErrorCode::DataFolder,
            "There is no Downloads or home folder to save the export in.",
        )
    })?;
    state
        .engine()?
        .export_insights(&from, &to, &folder)
        .map_err(|e| e.payload())
}
