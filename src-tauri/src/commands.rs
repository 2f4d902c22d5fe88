//! The commands the window may call. Each is a thin translation to one engine call; failures
//! reach the UI as `{code, message, field}`.

use tauri::State;
use tidings_engine::domain::{Settings, SettingsUpdate, SetupInput, WriteSource};
use tidings_engine::{DoctorReport, ErrorPayload, SetupDefaults};

use crate::AppState;

/// Who the audit log names for changes made in the window. (Staff accounts come later.)
pub(crate) const DESK: &str = "desk";

pub(crate) type Reply<T> = Result<T, ErrorPayload>;

/// Where exports go: Downloads (or the home folder; `TIDINGS_EXPORT_DIR` in tests).
pub(crate) fn export_folder() -> Reply<std::path::PathBuf> {
    tidings_engine::paths::export_folder().ok_or_else(|| {
        ErrorPayload::new(
            tidings_engine::ErrorCode::DataFolder,
            "There is no Downloads or home folder to save the export in.",
        )
    })
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Reply<Settings> {
    state.engine()?.settings().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_setup_defaults(state: State<'_, AppState>) -> Reply<SetupDefaults> {
    Ok(state.engine()?.setup_defaults())
}

#[tauri::command]
pub async fn complete_setup(state: State<'_, AppState>, input: SetupInput) -> Reply<Settings> {
    state
        .engine()?
        .complete_setup(&input, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn update_settings(
    state: State<'_, AppState>,
    update: SettingsUpdate,
) -> Reply<Settings> {
    state
        .engine()?
        .update_settings(&update, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_doctor(state: State<'_, AppState>) -> Reply<DoctorReport> {
    state.engine()?.doctor().map_err(|e| e.payload())
}

/// A failure that is a bug, not something the person did.
pub(crate) fn internal(message: String) -> ErrorPayload {
    ErrorPayload::new(tidings_engine::ErrorCode::Internal, message)
}
