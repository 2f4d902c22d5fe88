use std::fmt::Write as _;

/// The command names, read from the one list the shell and the TypeScript client are made from
/// (`src/command_list.rs`); the types and bodies are only matched here, never compiled.
macro_rules! tidings_commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty = $kind:ident { $($body:tt)* };
    )*) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = include!("src/command_list.rs");

/// The window's capability: listening to Tidings' events and calling its commands, nothing else.
fn capability() -> String {
    let mut out = String::from(
        r#"{
  "$schema": "../gen/schemas/desktop-schema.json",
  "identifier": "main-window",
  "description": "What the main window may do: Tidings' own commands and listening to its events. Nothing else. Written by build.rs from src/command_list.rs.",
  "windows": ["main"],
  "permissions": [
    "core:event:allow-listen",
    "core:event:allow-unlisten""#,
    );
    for name in COMMANDS {
        let _ = write!(out, ",\n    \"allow-{}\"", name.replace('_', "-"));
    }
    out.push_str("\n  ]\n}\n");
    out
}

fn main() {
    println!("cargo::rerun-if-changed=src/command_list.rs");
    // Each command gets its own permission (allow-<name>), and the capability lists exactly
    // the ones the list declares. It is rewritten only when it changes, so a build in a clean
    // clone leaves the committed file as it is.
    let capability = capability();
    let path = "capabilities/main.json";
    if std::fs::read_to_string(path).ok().as_deref() != Some(capability.as_str()) {
        if let Err(err) = std::fs::write(path, &capability) {
            println!("cargo::error=could not write {path}: {err}");
        }
    }
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(err) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        println!("cargo::error={err:#}");
    }
}
