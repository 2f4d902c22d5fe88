//! Records which commit this build came from, so the desk's About panel and
//! `tidings-cli --version` can say exactly which build is running. `TIDINGS_BUILD` set in the
//! environment wins (a packager building from a tarball); outside a git checkout it is "unknown".

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=TIDINGS_BUILD");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let build = match std::env::var("TIDINGS_BUILD") {
        Ok(given) if !given.trim().is_empty() => given.trim().to_owned(),
        _ => {
            // Build again when the checked-out commit changes: HEAD, the branch it names, and
            // packed refs (where a fresh clone may keep its branches). Only files that exist:
            // cargo treats a missing one as changed and would build this crate every time.
            if let Some(git_dir) = git(&dir, &["rev-parse", "--absolute-git-dir"]) {
                let git_dir = PathBuf::from(git_dir);
                let branch = git(&dir, &["symbolic-ref", "-q", "HEAD"]);
                // logs/HEAD changes with every commit and checkout, even when the branch's own
                // ref has been packed away.
                let watched = [
                    Some("HEAD".to_owned()),
                    Some("logs/HEAD".to_owned()),
                    Some("packed-refs".to_owned()),
                    branch,
                ];
                for file in watched.into_iter().flatten() {
                    let path = git_dir.join(file);
                    if path.is_file() {
                        println!("cargo:rerun-if-changed={}", path.display());
                    }
                }
            }
            git(&dir, &["rev-parse", "--short=9", "HEAD"]).unwrap_or_else(|| "unknown".to_owned())
        }
    };
    println!("cargo:rustc-env=TIDINGS_BUILD={build}");
}
