//! Commands for clients, consent, disclosures, imports and exports.

use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Emitter, State};
use tidings_engine::domain::import::{ImportReport, MAX_IMPORT_BYTES};
use tidings_engine::domain::{
    Client, ClientInput, ConsentEvent, ConsentInput, Purpose, WriteSource,
};
use tidings_engine::{
    ClientDetail, Disclosures, ErrorCode, ErrorPayload, ExportFormat, ExportedFile, ImportOptions,
    ImportPreview, ImportProgress, StagedFile,
};

use crate::commands::{Reply, DESK};
use crate::{AppState, IMPORT_PROGRESS_EVENT};

fn fail(code: ErrorCode, message: impl Into<String>) -> ErrorPayload {
    ErrorPayload::new(code, message)
}

#[tauri::command]
pub async fn list_clients(
    state: State<'_, AppState>,
    query: String,
    include_archived: bool,
) -> Reply<Vec<Client>> {
    state
        .engine()?
        .list_clients(&query, include_archived)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_client(state: State<'_, AppState>, id: i64) -> Reply<ClientDetail> {
    state.engine()?.client_detail(id).map_err(|e| e.payload())
}

#[tauri::command]
pub async fn create_client(state: State<'_, AppState>, input: ClientInput) -> Reply<Client> {
    state
        .engine()?
        .create_client(&input, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn update_client(
    state: State<'_, AppState>,
    id: i64,
    input: ClientInput,
) -> Reply<Client> {
    state
        .engine()?
        .update_client(id, &input, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn set_client_archived(
    state: State<'_, AppState>,
    id: i64,
    archived: bool,
) -> Reply<Client> {
    state
        .engine()?
        .set_client_archived(id, archived, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn record_consent(
    state: State<'_, AppState>,
    input: ConsentInput,
) -> Reply<ConsentEvent> {
    state
        .engine()?
        .record_consent(&input, WriteSource::Ui)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_disclosures(state: State<'_, AppState>) -> Reply<Disclosures> {
    state.engine()?.disclosures().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn update_disclosure(
    state: State<'_, AppState>,
    purpose: Purpose,
    template: String,
) -> Reply<Disclosures> {
    state
        .engine()?
        .update_disclosure(purpose, &template, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

/// Receives a file's bytes as the raw request body and keeps them for preview and import.
#[tauri::command]
pub async fn stage_import_file(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Reply<StagedFile> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(fail(
            ErrorCode::InvalidInput,
            "No file arrived. Choose the file again.",
        ));
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        let mib = bytes.len().div_ceil(1024 * 1024);
        return Err(fail(
            ErrorCode::ImportFile,
            format!("The file is {mib} MB; a client list is rarely over 25 MB. Check that this is the right file, or split it into smaller files."),
        ));
    }
    Ok(state.stage(bytes.clone()))
}

#[tauri::command]
pub async fn preview_import(
    state: State<'_, AppState>,
    token: u32,
    options: ImportOptions,
) -> Reply<ImportPreview> {
    let engine = state.engine()?;
    let bytes = state.staged(token)?;
    tauri::async_runtime::spawn_blocking(move || {
        engine
            .preview_import(&bytes, &options)
            .map_err(|e| e.payload())
    })
    .await
    .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?
}

/// Imports the staged file off the UI thread, sending progress events as rows are written.
#[tauri::command]
pub async fn run_import(
    app: AppHandle,
    state: State<'_, AppState>,
    token: u32,
    options: ImportOptions,
    dry_run: bool,
) -> Reply<ImportReport> {
    let engine = state.engine()?;
    let bytes = state.staged(token)?;
    let report = tauri::async_runtime::spawn_blocking(move || {
        let mut progress = |done: usize, total: usize| {
            let _ = app.emit(
                IMPORT_PROGRESS_EVENT,
                ImportProgress {
                    done: u32::try_from(done).unwrap_or(u32::MAX),
                    total: u32::try_from(total).unwrap_or(u32::MAX),
                },
            );
        };
        engine
            .import_clients(
                &bytes,
                &options,
                dry_run,
                WriteSource::Import,
                DESK,
                &mut progress,
            )
            .map_err(|e| e.payload())
    })
    .await
    .map_err(|e| fail(ErrorCode::Internal, e.to_string()))??;
    if !dry_run {
        state.unstage(token);
    }
    Ok(report)
}

/// Writes one client's consent evidence to the Downloads folder (or the home folder).
#[tauri::command]
pub async fn export_consent(
    state: State<'_, AppState>,
    client_id: i64,
    format: ExportFormat,
) -> Reply<ExportedFile> {
    let folder = crate::commands::export_folder()?;
    state
        .engine()?
        .export_consent_file(client_id, format, &folder)
        .map_err(|e| e.payload())
}
