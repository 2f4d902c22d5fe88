//! Where Tidings keeps its data. The app and the command line resolve the same path.

use std::path::PathBuf;

/// The app's identifier; also the name of its folder in the per-user data folder.
pub const APP_IDENTIFIER: &str = "app.tidings.desk";

/// The database file's name inside the data folder.
pub const DB_FILE_NAME: &str = "tidings.sqlite3";

/// `TIDINGS_DB` if set, else `<per-user data folder>/app.tidings.desk/tidings.sqlite3`
/// (on Linux `$XDG_DATA_HOME` or `~/.local/share`). This is the same folder Tauri's
/// `app_data_dir` names for the app, so window state and data sit side by side.
pub fn default_db_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TIDINGS_DB").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER).join(DB_FILE_NAME))
}
