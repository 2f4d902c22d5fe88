//! Commands for status updates and day-wide notices.

use tauri::State;
use tidings_engine::domain::WriteSource;
use tidings_engine::{
    NoticeInput, NoticePreview, NoticeProgress, OutboxMessage, UpdateInput, UpdatePreview,
    UpdateTemplate,
};

use crate::commands::{Reply, DESK};
use crate::AppState;

#[tauri::command]
pub async fn list_update_templates(state: State<'_, AppState>) -> Reply<Vec<UpdateTemplate>> {
    Ok(state.engine()?.update_templates())
}

#[tauri::command]
pub async fn get_notice_suggestion() -> Reply<String> {
    Ok(tidings_engine::NOTICE_SUGGESTION.to_owned())
}

#[tauri::command]
pub async fn preview_update(
    state: State<'_, AppState>,
    appointment_id: i64,
    input: UpdateInput,
) -> Reply<UpdatePreview> {
    state
        .engine()?
        .preview_update(appointment_id, &input)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn send_update(
    state: State<'_, AppState>,
    appointment_id: i64,
    input: UpdateInput,
) -> Reply<OutboxMessage> {
    state
        .engine()?
        .send_update(appointment_id, &input, WriteSource::Ui, DESK)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn preview_notice(
    state: State<'_, AppState>,
    input: NoticeInput,
) -> Reply<NoticePreview> {
    state
        .engine()?
        .preview_notice(&input)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn send_notice(state: State<'_, AppState>, input: NoticeInput) -> Reply<NoticeProgress> {
    state
        .engine()?
        .send_notice(&input, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_notice_progress(
    state: State<'_, AppState>,
    notice_id: i64,
) -> Reply<NoticeProgress> {
    state
        .engine()?
        .notice_progress(notice_id)
        .map_err(|e| e.payload())
}
