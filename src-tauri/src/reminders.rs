//! Commands for templates, reminder rules and presets, and the outbox.

use tauri::State;
use tidings_engine::domain::{plain_punctuation, segments, SegmentInfo, WriteSource};
use tidings_engine::{
    OutboxMessage, Preset, PresetInfo, ReminderRule, ReminderRuleInput, Template, TemplatePreview,
    TemplateVersion,
};

use crate::commands::{Reply, DESK};
use crate::AppState;

#[tauri::command]
pub async fn count_segments(text: String) -> Reply<SegmentInfo> {
    Ok(segments(&text))
}

#[tauri::command]
pub async fn fix_punctuation(text: String) -> Reply<String> {
    Ok(plain_punctuation(&text))
}

#[tauri::command]
pub async fn list_templates(state: State<'_, AppState>) -> Reply<Vec<Template>> {
    state.engine()?.templates().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn template_history(
    state: State<'_, AppState>,
    template_id: i64,
) -> Reply<Vec<TemplateVersion>> {
    state
        .engine()?
        .template_history(template_id)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn save_template(
    state: State<'_, AppState>,
    template_id: i64,
    body: String,
    translations: Option<std::collections::BTreeMap<String, String>>,
) -> Reply<Template> {
    state
        .engine()?
        .save_template_texts(
            template_id,
            &body,
            translations.as_ref(),
            WriteSource::Ui,
            DESK,
        )
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn restore_template_version(
    state: State<'_, AppState>,
    template_id: i64,
    version: u32,
) -> Reply<Template> {
    state
        .engine()?
        .restore_template_version(template_id, version, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn preview_template(
    state: State<'_, AppState>,
    body: String,
    language: Option<String>,
) -> Reply<TemplatePreview> {
    state
        .engine()?
        .preview_template(&body, language.as_deref())
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn list_presets(state: State<'_, AppState>) -> Reply<Vec<PresetInfo>> {
    Ok(state.engine()?.presets())
}

#[tauri::command]
pub async fn apply_preset(state: State<'_, AppState>, preset: Preset) -> Reply<Vec<ReminderRule>> {
    state
        .engine()?
        .apply_preset(preset, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn list_reminder_rules(state: State<'_, AppState>) -> Reply<Vec<ReminderRule>> {
    state.engine()?.reminder_rules().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn save_reminder_rule(
    state: State<'_, AppState>,
    input: ReminderRuleInput,
) -> Reply<ReminderRule> {
    state
        .engine()?
        .save_reminder_rule(&input, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn list_outbox(
    state: State<'_, AppState>,
    appointment_id: Option<i64>,
) -> Reply<Vec<OutboxMessage>> {
    state
        .engine()?
        .outbox(appointment_id)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn skip_message(state: State<'_, AppState>, id: i64) -> Reply<OutboxMessage> {
    state
        .engine()?
        .skip_message(id, WriteSource::Ui)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn send_message_now(state: State<'_, AppState>, id: i64) -> Reply<OutboxMessage> {
    let engine = state.engine()?;
    engine
        .send_now(id, WriteSource::Ui)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_backup_status(state: State<'_, AppState>) -> Reply<tidings_engine::BackupStatus> {
    state.engine()?.backup_status().map_err(|e| e.payload())
}

/// A verified backup into the backup folder, off the UI thread.
#[tauri::command]
pub async fn backup_now(state: State<'_, AppState>) -> Reply<tidings_engine::BackupInfo> {
    let engine = state.engine()?;
    tauri::async_runtime::spawn_blocking(move || {
        engine.backup_now("manual").map_err(|e| e.payload())
    })
    .await
    .map_err(|e| crate::commands::internal(e.to_string()))?
}

#[tauri::command]
pub async fn preview_restore(
    state: State<'_, AppState>,
    path: String,
) -> Reply<tidings_engine::RestorePreview> {
    state
        .engine()?
        .preview_restore(std::path::Path::new(&path))
        .map_err(|e| e.payload())
}

/// Replaces the data with a backup (the current state is backed up first).
#[tauri::command]
pub async fn restore_backup(
    state: State<'_, AppState>,
    path: String,
) -> Reply<tidings_engine::RestoreReport> {
    let engine = state.engine()?;
    engine
        .restore(std::path::Path::new(&path), WriteSource::Ui)
        .await
        .map_err(|e| e.payload())
}

/// Everything the desk holds, as one zip in the Downloads folder.
#[tauri::command]
pub async fn export_all_data(state: State<'_, AppState>) -> Reply<tidings_engine::ExportSummary> {
    let engine = state.engine()?;
    let folder = crate::commands::export_folder()?;
    tauri::async_runtime::spawn_blocking(move || {
        engine.export_to_folder(&folder).map_err(|e| e.payload())
    })
    .await
    .map_err(|e| crate::commands::internal(e.to_string()))?
}

#[tauri::command]
pub async fn sandbox_conversation(
    state: State<'_, AppState>,
    phone: String,
) -> Reply<Vec<tidings_engine::SandboxText>> {
    state
        .engine()?
        .sandbox_conversation(&phone)
        .map_err(|e| e.payload())
}

/// The Sandbox phone texts the business as this customer.
#[tauri::command]
pub async fn sandbox_send(state: State<'_, AppState>, phone: String, text: String) -> Reply<u32> {
    let engine = state.engine()?;
    let received = engine
        .sandbox_send(&phone, &text)
        .await
        .map_err(|e| e.payload())?;
    Ok(u32::try_from(received.len()).unwrap_or(u32::MAX))
}
