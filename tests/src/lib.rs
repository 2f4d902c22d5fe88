//! Harness for end-to-end tests: the real Tidings binary, started by tauri-driver through
//! WebKitWebDriver, driven like a person would drive it.
//!
//! `TIDINGS_APP` names the built app (built with the `custom-protocol` feature so it serves
//! its own UI); `TIDINGS_WEBDRIVER` the tauri-driver URL (default http://127.0.0.1:4444).
//! `.ci/test` sets both up; see the README.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

pub mod desks;
pub mod prism;
pub mod smsgate_fake;
pub mod twilio_fake;

mod actions;
mod app;
mod desk_steps;
mod keyboard;
mod paths;
mod pointer;
mod screenshots;
mod waiting;

pub use thirtyfour;

pub use app::App;
pub use keyboard::{ENTER, TAB};
pub use paths::{app_binary, cli_binary, crate_dir, fixture};
pub use screenshots::artifacts_dir;
