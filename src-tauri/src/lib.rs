//! The Tauri shell: it opens the window and translates between the UI and the engine. No
//! policy and no SQL live here.

mod appointments;
mod clients;
mod commands;
mod feeds;
mod inbox;
mod insights;
mod provider;
mod reminders;
mod state;
mod tray;
mod updates;

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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
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
        .invoke_handler(tauri::generate_handler![
            commands::get_settings,
            commands::get_setup_defaults,
            commands::complete_setup,
            commands::update_settings,
            commands::get_doctor,
            clients::list_clients,
            clients::get_client,
            clients::create_client,
            clients::update_client,
            clients::set_client_archived,
            clients::record_consent,
            clients::get_disclosures,
            clients::update_disclosure,
            clients::stage_import_file,
            clients::preview_import,
            clients::run_import,
            clients::export_consent,
            appointments::list_appointments,
            appointments::get_appointment,
            appointments::create_appointment,
            appointments::update_appointment,
            appointments::set_appointment_status,
            appointments::get_today,
            appointments::list_services,
            appointments::save_service,
            appointments::list_staff,
            appointments::save_staff,
            appointments::preview_appointment_import,
            appointments::run_appointment_import,
            reminders::count_segments,
            reminders::fix_punctuation,
            reminders::list_templates,
            reminders::template_history,
            reminders::save_template,
            reminders::restore_template_version,
            reminders::preview_template,
            reminders::list_presets,
            reminders::apply_preset,
            reminders::list_reminder_rules,
            reminders::save_reminder_rule,
            reminders::list_outbox,
            reminders::skip_message,
            reminders::send_message_now,
            reminders::get_backup_status,
            reminders::backup_now,
            reminders::preview_restore,
            reminders::restore_backup,
            reminders::export_all_data,
            reminders::sandbox_conversation,
            reminders::sandbox_send,
            feeds::list_feeds,
            feeds::add_feed,
            feeds::sync_feed,
            feeds::remove_feed,
            provider::get_provider,
            provider::test_twilio_connection,
            provider::connect_twilio,
            provider::test_smsgate_connection,
            provider::connect_smsgate,
            provider::get_provider_health,
            provider::use_sandbox,
            provider::send_test_text,
            provider::resume_sending,
            tray::get_open_at_login,
            tray::set_open_at_login,
            inbox::get_inbox,
            inbox::get_inbox_counts,
            inbox::open_thread,
            inbox::reply_in_thread,
            inbox::resolve_thread,
            inbox::assign_thread,
            inbox::review_possible_opt_out,
            inbox::create_client_from_thread,
            inbox::search_inbox,
            updates::list_update_templates,
            updates::get_notice_suggestion,
            updates::preview_update,
            updates::send_update,
            updates::preview_notice,
            updates::send_notice,
            updates::get_notice_progress,
            insights::get_insights,
            insights::export_insights,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Tidings could not start its window: {err}. If this computer has no desktop session, start Tidings from one.");
            ExitCode::FAILURE
        }
    }
}
