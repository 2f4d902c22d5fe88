//! Where Tidings keeps its data. The app and the command line resolve the same path.

use std::ffi::OsString;
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

/// Where exports go: the Downloads folder, else the home folder.
pub fn export_folder() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TIDINGS_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    dirs::download_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
}

/// `folder/stem.ext`, or `stem-2.ext`, `stem-3.ext`... whichever is not taken yet, so a file
/// written there never replaces another.
pub fn unused_name(folder: &std::path::Path, stem: &str, extension: &str) -> PathBuf {
    (1..10_000)
        .map(|n| {
            folder.join(if n == 1 {
                format!("{stem}.{extension}")
            } else {
                format!("{stem}-{n}.{extension}")
            })
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| folder.join(format!("{stem}-{}.{extension}", std::process::id())))
}

/// The database path given on a command line as `--db PATH` or `--db=PATH`, if any. The app
/// takes the same flag as `tidings-cli`, so both can be pointed at one file.
pub fn db_path_from_args(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--db" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--db=")) {
            return Some(PathBuf::from(path));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn db_flag_is_read_in_both_forms() {
        assert_eq!(
            db_path_from_args(args(&["--db", "/tmp/a.sqlite3"])),
            Some(PathBuf::from("/tmp/a.sqlite3"))
        );
        assert_eq!(
            db_path_from_args(args(&["--verbose", "--db=/tmp/b.sqlite3"])),
            Some(PathBuf::from("/tmp/b.sqlite3"))
        );
        assert_eq!(db_path_from_args(args(&["--db"])), None);
        assert_eq!(db_path_from_args(args(&["--dbx", "y"])), None);
    }
}
