//! One running app under test: starting it through tauri-driver (looked at and tried once
//! more if its page never renders), and closing it so the next start finds it gone.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::prelude::*;

use crate::paths::app_binary;
use crate::screenshots::artifacts_dir;
use crate::waiting::POLL;

/// How long a start may take to show its first page (the first start on a busy machine is slow).
const FIRST_RENDER: Duration = Duration::from_secs(45);

/// One running app with its own database file. Tests run on tokio's multi-thread runtime
/// (`#[tokio::test(flavor = "multi_thread")]`) so that an app whose test failed is still closed
/// when it is dropped: WebKitWebDriver holds one session at a time.
pub struct App {
    pub driver: WebDriver,
    pub db: PathBuf,
    closed: bool,
}

impl Drop for App {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        let driver = self.driver.clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            tokio::task::block_in_place(|| {
                let _ = handle.block_on(driver.quit());
            });
        }
    }
}

impl App {
    /// Starts the app on the database at `db` (created if missing).
    pub async fn start(db: &Path) -> App {
        App::start_with(&["--db".to_owned(), db.display().to_string()], db).await
    }

    /// Starts the app as a person would, with no arguments: its database is the one in the
    /// per-user data folder (`db` says where that is, for the test's own checks).
    pub async fn start_default(db: &Path) -> App {
        App::start_with(&[], db).await
    }

    async fn start_with(args: &[String], db: &Path) -> App {
        // A start whose page never renders is looked at (screenshot, processes) and tried once
        // more, saying so: under a loaded CI machine WebKit's first page has, rarely, not
        // appeared at all. A second failure fails the test.
        for attempt in 1..=2 {
            let app = App::launch(args, db).await;
            match app.wait_rendered(FIRST_RENDER).await {
                Ok(took) => {
                    eprintln!("page rendered in {:.1} s", took.as_secs_f32());
                    return app;
                }
                Err(err) => {
                    eprintln!(
                        "START FAILED (attempt {attempt}): the page did not render within {} s: {err}",
                        FIRST_RENDER.as_secs()
                    );
                    let shot = artifacts_dir().join(format!("start-failed-{attempt}.png"));
                    let _ = app.driver.screenshot(&shot).await;
                    eprintln!("screenshot: {}", shot.display());
                    if let Ok(out) = std::process::Command::new("ps")
                        .args(["-eo", "pid,stat,etime,time,rss,args"])
                        .output()
                    {
                        for line in String::from_utf8_lossy(&out.stdout).lines() {
                            if line.contains("tidings")
                                || line.contains("WebKit")
                                || line.contains("PID")
                            {
                                eprintln!("  {line}");
                            }
                        }
                    }
                    app.discard().await;
                }
            }
        }
        panic!(
            "the app's page did not render in two starts; see the screenshots and processes above"
        );
    }

    /// Waits until the UI has rendered into `#app`: the app started and its page loaded.
    async fn wait_rendered(&self, limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        let mut last = String::from("no answer yet");
        while started.elapsed() < limit {
            match self
                .driver
                .execute(
                    "const a = document.getElementById('app'); return !!(a && a.children.length > 0);",
                    vec![],
                )
                .await
            {
                Ok(ret) if ret.json().as_bool() == Some(true) => return Ok(started.elapsed()),
                Ok(_) => last = "the page is still empty".into(),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(POLL).await;
        }
        Err(last)
    }

    async fn launch(args: &[String], db: &Path) -> App {
        // reqwest is built without a bundled crypto provider (the app's Twilio client installs
        // ring); the WebDriver client shares that build.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // Tidings is single-instance: an app left over from a failed test would swallow this
        // start. Wait for it to go, and end it if it does not.
        if !wait_for_exit(Duration::from_secs(5)).await {
            let _ = std::process::Command::new("pkill")
                .args(["-f", &app_binary()])
                .status();
            wait_for_exit(Duration::from_secs(5)).await;
        }
        // Its D-Bus name (single instance) can outlive the process by a moment; a new app
        // started meanwhile would hand itself over to the one going away and never open.
        wait_for_name_released(Duration::from_secs(10)).await;
        let started = Instant::now();
        let url =
            std::env::var("TIDINGS_WEBDRIVER").unwrap_or_else(|_| "http://127.0.0.1:4444".into());
        let caps = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": app_binary(),
                "args": args,
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let driver = WebDriver::new(url.as_str(), caps)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "could not start a WebDriver session at {url} (is tauri-driver running?): {e}"
                )
            });
        eprintln!("app started in {:.1} s", started.elapsed().as_secs_f32());
        App {
            driver,
            db: db.to_owned(),
            closed: false,
        }
    }

    /// Ends a start that went wrong, making sure its process is gone before the next start.
    async fn discard(mut self) {
        self.closed = true;
        let _ = self.driver.clone().quit().await;
        if !wait_for_exit(Duration::from_secs(10)).await {
            let _ = std::process::Command::new("pkill")
                .args(["-f", &app_binary()])
                .status();
            wait_for_exit(Duration::from_secs(5)).await;
        }
    }

    /// Closes the app (tauri-driver ends the process with the session).
    pub async fn quit(mut self) {
        let started = Instant::now();
        self.closed = true;
        self.driver.clone().quit().await.unwrap();
        eprintln!("session ended in {:.1} s", started.elapsed().as_secs_f32());
        assert!(
            wait_for_exit(Duration::from_secs(10)).await,
            "the app did not exit after its session ended"
        );
    }
}

/// The D-Bus name a running Tidings holds to stay single-instance (`<identifier>.SingleInstance`).
const SINGLE_INSTANCE_NAME: &str = "app.tidings.desk.SingleInstance";

/// Waits up to `limit` until no process holds the app's single-instance D-Bus name.
async fn wait_for_name_released(limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let owned = std::process::Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{SINGLE_INSTANCE_NAME}"),
            ])
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).contains("boolean true"))
            .unwrap_or(false);
        if !owned || Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether a process of the app under test is running.
fn app_running() -> bool {
    std::process::Command::new("pgrep")
        .args(["-f", &app_binary()])
        .output()
        .map(|out| !out.stdout.is_empty())
        .unwrap_or(false)
}

/// Waits up to `limit` for every process of the app under test to end.
async fn wait_for_exit(limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while app_running() {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(POLL).await;
    }
    true
}
