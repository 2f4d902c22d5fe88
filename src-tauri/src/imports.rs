//! Imports from a file the window hands over: the bytes are staged once, previewed as often as
//! the desk changes the mapping, then imported off the async workers with progress events.

use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Emitter};
use tidings_engine::domain::import::{ImportReport, MAX_IMPORT_BYTES};
use tidings_engine::domain::WriteSource;
use tidings_engine::{
    AppointmentImportOptions, AppointmentImportPreview, AppointmentImportReport, ErrorCode,
    ErrorPayload, ImportOptions, ImportPreview, ImportProgress, StagedFile,
};

use crate::commands::{blocking, Reply, DESK};
use crate::{AppState, IMPORT_PROGRESS_EVENT};

/// Receives a file's bytes as the raw request body and keeps them for preview and import.
pub(crate) fn stage_import_file(state: &AppState, request: &Request<'_>) -> Reply<StagedFile> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(ErrorPayload::new(
            ErrorCode::InvalidInput,
            "No file arrived. Choose the file again.",
        ));
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        let mib = bytes.len().div_ceil(1024 * 1024);
        return Err(ErrorPayload::new(
            ErrorCode::ImportFile,
            format!("The file is {mib} MB; a list of clients or bookings is rarely over 25 MB. Check that this is the right file, or split it into smaller files."),
        ));
    }
    Ok(state.stage(bytes.clone()))
}

pub(crate) async fn preview_import(
    _app: &AppHandle,
    state: &AppState,
    token: u32,
    options: ImportOptions,
) -> Reply<ImportPreview> {
    let bytes = state.staged(token)?;
    blocking(state.engine()?, move |engine| {
        Ok(engine.preview_import(&bytes, &options)?)
    })
    .await
}

/// Imports the staged clients, sending progress events as rows are written.
pub(crate) async fn run_import(
    app: &AppHandle,
    state: &AppState,
    token: u32,
    options: ImportOptions,
    dry_run: bool,
) -> Reply<ImportReport> {
    let bytes = state.staged(token)?;
    let app = app.clone();
    let report = blocking(state.engine()?, move |engine| {
        let mut progress = |done: usize, total: usize| {
            let _ = app.emit(
                IMPORT_PROGRESS_EVENT,
                ImportProgress {
                    done: u32::try_from(done).unwrap_or(u32::MAX),
                    total: u32::try_from(total).unwrap_or(u32::MAX),
                },
            );
        };
        Ok(engine.import_clients(
            &bytes,
            &options,
            dry_run,
            WriteSource::Import,
            DESK,
            &mut progress,
        )?)
    })
    .await?;
    if !dry_run {
        state.unstage(token);
    }
    Ok(report)
}

pub(crate) async fn preview_appointment_import(
    _app: &AppHandle,
    state: &AppState,
    token: u32,
    options: AppointmentImportOptions,
) -> Reply<AppointmentImportPreview> {
    let bytes = state.staged(token)?;
    blocking(state.engine()?, move |engine| {
        Ok(engine.preview_appointment_import(&bytes, &options)?)
    })
    .await
}

pub(crate) async fn run_appointment_import(
    _app: &AppHandle,
    state: &AppState,
    token: u32,
    options: AppointmentImportOptions,
) -> Reply<AppointmentImportReport> {
    let bytes = state.staged(token)?;
    let report = blocking(state.engine()?, move |engine| {
        Ok(engine.import_appointments(&bytes, &options, false, WriteSource::Import, DESK)?)
    })
    .await?;
    state.unstage(token);
    Ok(report)
}
