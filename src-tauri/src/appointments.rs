//! Commands for appointments, services, staff and the Today view.

use chrono::{DateTime, Utc};
use tauri::State;
use tidings_engine::domain::{
    Appointment, AppointmentInput, AppointmentStatus, Service, Staff, WriteSource,
};
use tidings_engine::TodayView;

use crate::commands::{Reply, DESK};
use crate::AppState;

#[tauri::command]
pub async fn list_appointments(
    state: State<'_, AppState>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    staff_id: Option<i64>,
) -> Reply<Vec<Appointment>> {
    state
        .engine()?
        .appointments_between(from, to, staff_id)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_appointment(state: State<'_, AppState>, id: i64) -> Reply<Appointment> {
    state.engine()?.appointment(id).map_err(|e| e.payload())
}

#[tauri::command]
pub async fn create_appointment(
    state: State<'_, AppState>,
    input: AppointmentInput,
) -> Reply<Appointment> {
    state
        .engine()?
        .create_appointment(&input, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn update_appointment(
    state: State<'_, AppState>,
    id: i64,
    input: AppointmentInput,
) -> Reply<Appointment> {
    state
        .engine()?
        .update_appointment(id, &input, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn set_appointment_status(
    state: State<'_, AppState>,
    id: i64,
    status: AppointmentStatus,
) -> Reply<Appointment> {
    state
        .engine()?
        .set_appointment_status(id, status, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn get_today(state: State<'_, AppState>) -> Reply<TodayView> {
    state.engine()?.today().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn list_services(state: State<'_, AppState>) -> Reply<Vec<Service>> {
    state.engine()?.services().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn save_service(
    state: State<'_, AppState>,
    id: Option<i64>,
    name: String,
    minutes: u32,
) -> Reply<Service> {
    state
        .engine()?
        .save_service(id, &name, minutes, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn list_staff(state: State<'_, AppState>) -> Reply<Vec<Staff>> {
    state.engine()?.staff().map_err(|e| e.payload())
}

#[tauri::command]
pub async fn save_staff(state: State<'_, AppState>, id: Option<i64>, name: String) -> Reply<Staff> {
    state
        .engine()?
        .save_staff(id, &name, WriteSource::Ui, DESK)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub async fn preview_appointment_import(
    state: State<'_, AppState>,
    token: u32,
    options: tidings_engine::AppointmentImportOptions,
) -> Reply<tidings_engine::AppointmentImportPreview> {
    let engine = state.engine()?;
    let bytes = state.staged(token)?;
    tauri::async_runtime::spawn_blocking(move || {
        engine
            .preview_appointment_import(&bytes, &options)
            .map_err(|e| e.payload())
    })
    .await
    .map_err(|e| crate::commands::internal(e.to_string()))?
}

#[tauri::command]
pub async fn run_appointment_import(
    state: State<'_, AppState>,
    token: u32,
    options: tidings_engine::AppointmentImportOptions,
) -> Reply<tidings_engine::AppointmentImportReport> {
    let engine = state.engine()?;
    let bytes = state.staged(token)?;
    let report = tauri::async_runtime::spawn_blocking(move || {
        engine
            .import_appointments(&bytes, &options, false, WriteSource::Import, DESK)
            .map_err(|e| e.payload())
    })
    .await
    .map_err(|e| crate::commands::internal(e.to_string()))??;
    state.unstage(token);
    Ok(report)
}
