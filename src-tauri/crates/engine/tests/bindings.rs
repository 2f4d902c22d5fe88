//! The UI's TypeScript must match the Rust it talks to: the types (`ui/src/lib/bindings.ts`)
//! and the typed command client (`ui/src/lib/commands.ts`), both generated here. Each test fails
//! when its committed copy is stale; `UPDATE_BINDINGS=1` writes them again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use tidings_engine::domain::import::ImportReport;
#[allow(clippy::wildcard_imports)]
use tidings_engine::domain::*;
#[allow(clippy::wildcard_imports)]
use tidings_engine::*;
use ts_rs::{Config, TS};

fn ui_file(name: &str) -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("../../../ui/src/lib")
        .join(name)
}

/// Compares a generated file with the committed one, or writes it when asked to.
fn check_generated(name: &str, fresh: &str) {
    let path = ui_file(name);
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/lib/{name} is stale. Regenerate it with \
         `UPDATE_BINDINGS=1 cargo test -p tidings-engine --test bindings`."
    );
}

#[test]
fn ui_bindings_are_up_to_date() {
    let fresh = tidings_engine::typescript_bindings();
    assert!(fresh.contains("export type Settings = "));
    assert!(fresh.contains("export type ErrorCode = "));
    check_generated("bindings.ts", &fresh);
}

/// One command as `src-tauri/src/command_list.rs` declares it.
struct Command {
    name: &'static str,
    docs: Vec<&'static str>,
    /// Rust argument names with their TypeScript types.
    args: Vec<(&'static str, String)>,
    result: String,
    /// Takes the raw request body (a file's bytes) instead of JSON arguments.
    raw: bool,
}

fn config() -> Config {
    // Ids and counts stay far below 2^53, so plain numbers are exact (as in bindings.ts).
    Config::new().with_large_int("number")
}

macro_rules! tidings_commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty = $kind:ident { $($body:tt)* };
    )*) => {
        vec![$(Command {
            name: stringify!($name),
            docs: vec![$($doc),*],
            args: vec![$((stringify!($arg), <$ty as TS>::name(&config()))),*],
            result: <$ret as TS>::name(&config()),
            raw: stringify!($kind) == "raw",
        }),*]
    };
}

fn commands() -> Vec<Command> {
    include!("../../../src/command_list.rs")
}

/// `include_archived` → `includeArchived`, as tauri expects arguments.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The bindings types a TypeScript type names.
fn named_types(ts: &str, into: &mut BTreeSet<String>) {
    for word in ts.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        if word.starts_with(|c: char| c.is_ascii_uppercase())
            && !matches!(word, "Array" | "Record" | "Partial")
        {
            into.insert(word.to_owned());
        }
    }
}

/// Trailing `Option` arguments may be left out by the caller: the index of the first.
fn optional_from(c: &Command) -> usize {
    c.args
        .iter()
        .rposition(|(_, ts)| !ts.ends_with(" | null"))
        .map_or(0, |i| i + 1)
}

fn doc_comment(out: &mut String, docs: &[&str], indent: &str) {
    let lines: Vec<&str> = docs.iter().map(|d| d.trim()).collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}/** {} */", lines.join(" "));
}

/// The typed client: one function per command, the name and argument keys written only here,
/// and `CommandArgs`/`CommandResult` for the test fakes to satisfy.
fn typescript_client(commands: &[Command]) -> String {
    let mut types = BTreeSet::new();
    for c in commands {
        named_types(&c.result, &mut types);
        for (_, ts) in &c.args {
            named_types(ts, &mut types);
        }
    }
    let mut out = String::from(
        "// Generated from src-tauri/src/command_list.rs by the engine's tests/bindings.rs; do not\n\
         // edit. `UPDATE_BINDINGS=1 cargo test -p tidings-engine --test bindings` writes it again.\n",
    );
    let _ = writeln!(
        out,
        "import type {{ {} }} from './bindings';",
        types.into_iter().collect::<Vec<_>>().join(", ")
    );
    out.push_str("import { call, callRaw } from './ipc';\n\n");

    out.push_str("/** Every command the window may call, by its Rust name. */\nexport const COMMAND_NAMES = [\n");
    for c in commands {
        let _ = writeln!(out, "  '{}',", c.name);
    }
    out.push_str("] as const;\n\nexport type CommandName = (typeof COMMAND_NAMES)[number];\n\n");

    out.push_str(
        "/** Each command's arguments, as the window sends them. */\nexport type CommandArgs = {\n",
    );
    for c in commands {
        let body = if c.raw {
            "Uint8Array".to_owned()
        } else if c.args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            let optional_from = optional_from(c);
            let fields: Vec<String> = c
                .args
                .iter()
                .enumerate()
                .map(|(i, (name, ts))| {
                    let q = if i >= optional_from { "?" } else { "" };
                    format!("{}{q}: {ts}", camel(name))
                })
                .collect();
            format!("{{ {} }}", fields.join("; "))
        };
        let _ = writeln!(out, "  {}: {body};", c.name);
    }
    out.push_str("};\n\n/** Each command's result. */\nexport type CommandResult = {\n");
    for c in commands {
        let _ = writeln!(out, "  {}: {};", c.name, c.result);
    }
    out.push_str("};\n");

    for c in commands {
        out.push('\n');
        doc_comment(&mut out, &c.docs, "");
        let optional_from = optional_from(c);
        let (params, call) = if c.raw {
            (
                "bytes: Uint8Array".to_owned(),
                format!("callRaw('{}', bytes)", c.name),
            )
        } else {
            let params: Vec<String> = c
                .args
                .iter()
                .enumerate()
                .map(|(i, (name, ts))| {
                    let q = if i >= optional_from { "?" } else { "" };
                    format!("{}{q}: {ts}", camel(name))
                })
                .collect();
            // A left-out argument is sent as undefined, which JSON leaves out: Rust reads None.
            let keys: Vec<String> = c.args.iter().map(|(name, _)| camel(name)).collect();
            let args = if keys.is_empty() {
                "{}".to_owned()
            } else {
                format!("{{ {} }}", keys.join(", "))
            };
            (params.join(", "), format!("call('{}', {args})", c.name))
        };
        let _ = writeln!(
            out,
            "export function {}({params}): Promise<{}> {{\n  return {call};\n}}",
            camel(c.name),
            c.result
        );
    }
    out
}

#[test]
fn ui_command_client_is_up_to_date() {
    let commands = commands();
    let names: BTreeSet<&str> = commands.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), commands.len(), "a command is declared twice");
    let fresh = typescript_client(&commands);
    assert!(fresh.contains("export function listAppointments(from: string, to: string, staffId?: number | null): Promise<Array<Appointment>>"));
    check_generated("commands.ts", &fresh);
}

#[test]
fn arguments_reach_the_window_in_camel_case() {
    assert_eq!(camel("include_archived"), "includeArchived");
    assert_eq!(camel("id"), "id");
    assert_eq!(camel("review_possible_opt_out"), "reviewPossibleOptOut");
    let mut types = BTreeSet::new();
    named_types(
        "Array<Appointment> | { [key in string]?: Record<string, Staff> } | null",
        &mut types,
    );
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        ["Appointment", "Staff"]
    );
}
