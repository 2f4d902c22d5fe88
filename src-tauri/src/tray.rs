//! Keeping Tidings alive: closing the window leaves it running in the tray (said once, by a
//! desktop notification), with Open / Pause sending / Quit; and "open at login".

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Window, WindowEvent, Wry};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_notification::NotificationExt;
use tidings_engine::domain::WriteSource;
use tidings_engine::{ErrorCode, ErrorPayload};

use crate::commands::Reply;
use crate::AppState;

const TOLD_KEY: &str = "told_about_tray";

/// The tray's menu items that change.
pub struct TrayItems {
    pause: MenuItem<Wry>,
}

fn show_window(app: &AppHandle) {
    if let Ok(engine) = app.state::<AppState>().engine() {
        engine.set_window_open(true);
    }
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn paused(app: &AppHandle) -> bool {
    app.state::<AppState>()
        .engine()
        .ok()
        .and_then(|e| e.sending_paused().ok().flatten())
        .is_some()
}

/// A desktop notification for a customer's text. The text is the customer's: on Linux, where
/// notification servers may read markup, it is escaped so it shows literally.
pub fn notify_reply(app: &AppHandle, from: &str, preview: &str) {
    let shown = if cfg!(target_os = "linux") {
        preview
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        preview.to_owned()
    };
    if let Err(err) = app
        .notification()
        .builder()
        .title(format!("Text from {from}"))
        .body(shown)
        .show()
    {
        tracing::debug!("no desktop notification: {err}");
    }
}

/// Sets the Pause/Resume item's words and, like the Inbox badge, how many conversations wait
/// for a reply, from the engine's state.
pub fn refresh(app: &AppHandle) {
    if let Some(tray) = app.tray_by_id("tidings") {
        let waiting = app
            .state::<AppState>()
            .engine()
            .ok()
            .and_then(|e| e.inbox_counts().ok())
            .map_or(0, |c| c.needs_reply);
        let tip = if waiting > 0 {
            format!("Tidings — {waiting} waiting for a reply")
        } else {
            "Tidings".to_owned()
        };
        let _ = tray.set_tooltip(Some(tip));
    }
    if let Some(items) = app.try_state::<TrayItems>() {
        let text = if paused(app) {
            "Resume sending"
        } else {
            "Pause sending"
        };
        let _ = items.pause.set_text(text);
    }
}

fn toggle_pause(app: &AppHandle) {
    let Ok(engine) = app.state::<AppState>().engine() else {
        return;
    };
    let result = if paused(app) {
        engine.resume_sending(WriteSource::Ui).map(|_| ())
    } else {
        engine.pause_sending_by_user(WriteSource::Ui).map(|_| ())
    };
    // Pausing and resuming publish a settings change; forward_changes refreshes the tray.
    if let Err(err) = result {
        tracing::error!("the tray could not change sending: {err}");
    }
}

/// Builds the tray icon. Where the desktop has no tray, Tidings still runs: starting it again
/// shows the window (single instance).
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Tidings", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "Pause sending", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Tidings", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &pause, &quit])?;
    let mut builder = TrayIconBuilder::with_id("tidings")
        .tooltip("Tidings")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_window(app),
            "pause" => toggle_pause(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(TrayItems { pause });
    refresh(app);
    Ok(())
}

/// Whether the desktop shows tray icons. On Linux that is a StatusNotifierWatcher on the
/// session bus (GNOME without its AppIndicator extension has none); elsewhere there always is.
#[cfg(target_os = "linux")]
fn desktop_has_tray() -> bool {
    let Ok(bus) = zbus::blocking::Connection::session() else {
        return false;
    };
    bus.call_method(
        Some("org.freedesktop.DBus"),
        "/org/freedesktop/DBus",
        Some("org.freedesktop.DBus"),
        "NameHasOwner",
        &("org.kde.StatusNotifierWatcher",),
    )
    .ok()
    .and_then(|reply| reply.body().deserialize::<bool>().ok())
    .unwrap_or(false)
}

#[cfg(not(target_os = "linux"))]
fn desktop_has_tray() -> bool {
    true
}

/// Closing the window hides it in the tray; reminders keep going out. The first time, a
/// notification says where Tidings went. On a desktop with no tray, hiding would leave no way
/// back but starting Tidings again, so closing quits as usual there.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if !desktop_has_tray() {
            return;
        }
        api.prevent_close();
        let _ = window.hide();
        let app = window.app_handle();
        let Ok(engine) = app.state::<AppState>().engine() else {
            // Nothing is running that needs the tray: closing means quitting.
            app.exit(0);
            return;
        };
        // Nobody is looking: replies are read at the quieter pace.
        engine.set_window_open(false);
        if engine.kv(TOLD_KEY).ok().flatten().is_none() {
            let _ = app
                .notification()
                .builder()
                .title("Tidings is still running")
                .body("Reminders keep going out while Tidings is in the tray. Open it or quit from the tray icon.")
                .show();
            let _ = engine.set_kv(TOLD_KEY, "yes");
        }
    }
}

pub(crate) async fn get_open_at_login(app: &AppHandle, _state: &AppState) -> Reply<bool> {
    app.autolaunch().is_enabled().map_err(|e| {
        ErrorPayload::new(
            ErrorCode::Internal,
            format!("Tidings can't tell whether it opens at login: {e}"),
        )
    })
}

pub(crate) async fn set_open_at_login(
    app: &AppHandle,
    _state: &AppState,
    enabled: bool,
) -> Reply<bool> {
    let launcher = app.autolaunch();
    let result = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    result.map_err(|e| {
        ErrorPayload::new(
            ErrorCode::Internal,
            format!("Tidings could not change opening at login: {e}. Check that your desktop's autostart folder can be written."),
        )
    })?;
    launcher
        .is_enabled()
        .map_err(|e| ErrorPayload::new(ErrorCode::Internal, e.to_string()))
}
