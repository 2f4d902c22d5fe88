//! The Tauri shell: it opens the window and translates between the UI and the engine. No
//! policy and no SQL live here.

mod commands;
mod imports;
mod state;
mod tray;

use std::process::ExitCode;

use tauri::{Emitter, Manager};

pub use state::AppState;

/// Event carrying one `ChangeBatch` per committed write.
pub const CHANGES_EVENT: &str = "tidings://changes";
/// Event telling the window that someone tried to start Tidings again.
pub const SECOND_INSTANCE_EVENT: &str = "tidings://second-instance";
/// Event carrying `ImportProgress` while an import runs.
pub const IMPORT_PROGRESS_EVENT: &str = "tidings://import-progress";

pub fn run() -> ExitCode {
    // RUST_LOG as target=level pairs ("info", "tidings_engine=debug,warn"); tracing's
    // `Targets` reads them without the regular-expression machinery of its env-filter, which the
    // release binary's size budget has no room for.
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| text.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
    // A panic stops the installed app (it aborts); the reason goes beside the database first.
    tidings_engine::about::record_panics_beside(
        tidings_engine::paths::db_path_from_args(std::env::args_os().skip(1))
            .or_else(tidings_engine::paths::default_db_path)
            .as_deref(),
    );

    let result = tauri::Builder::default()
        // First: a second start hands over to the running window and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("Tidings was started again; showing the open window instead");
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
            let _ = app.emit(SECOND_INSTANCE_EVENT, ());
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .on_window_event(tray::on_window_event)
        .manage(AppState::from_environment())
        .setup(|app| {
            state::forward_changes(app.handle().clone());
            if let Err(err) = tray::install(app.handle()) {
                tracing::warn!("no tray icon on this desktop: {err}");
            }
            Ok(())
        })
        .invoke_handler(commands::invoke_handler())
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Tidings could not start its window: {err}. If this computer has no desktop session, start Tidings from one.");
            ExitCode::FAILURE
        }
    }
}
