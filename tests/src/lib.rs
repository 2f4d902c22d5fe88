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

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::prelude::*;

pub use thirtyfour;

/// The Tab and Enter keys, for [`App::press`] (WebDriver's key codes).
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);
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

/// The app under test (`TIDINGS_APP`).
pub fn app_binary() -> String {
    let path = std::env::var("TIDINGS_APP").unwrap_or_else(|_| {
        panic!(
            "TIDINGS_APP is not set. End-to-end tests need the built app: run `bash .ci/test` \
             (it builds the app and starts Xvfb and tauri-driver), or set TIDINGS_APP to the \
             binary built with `--features custom-protocol`."
        )
    });
    assert!(
        Path::new(&path).is_file(),
        "TIDINGS_APP={path} is not a file"
    );
    path
}

/// `tidings-cli`, built next to this test binary (`cargo build -p tidings-cli`).
pub fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let cli = debug.join("tidings-cli");
    assert!(
        cli.exists(),
        "{} is missing: run `cargo build -p tidings-cli` first (the README's test command does)",
        cli.display()
    );
    cli
}

/// This crate's folder. Cargo sets it when running tests; the compile-time value can name
/// another checkout that shares the build folder.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// A file from `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    crate_dir().join("fixtures").join(name)
}

/// Where screenshots go: `tests/artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = crate_dir().join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
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

    /// The element with this `data-testid`, waiting for it to appear.
    pub async fn get(&self, test_id: &str) -> WebElement {
        self.driver
            .query(By::Css(format!("[data-testid='{test_id}']")))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap_or_else(|e| panic!("no element [data-testid='{test_id}'] appeared: {e}"))
    }

    /// The `data-testid` of the first element whose `data-testid` starts with `prefix`, waiting
    /// for one. Read inside the page in one step: a list the app re-renders between finding an
    /// element and reading it (a change batch arriving) cannot leave the test holding a stale
    /// element.
    pub async fn first_test_id(&self, prefix: &str) -> String {
        let css = format!("[data-testid^='{prefix}']");
        self.first_in_page(&css, "e.dataset.testid").await
    }

    /// The text (`innerText`, as shown) of the first element matching `css`, waiting for one;
    /// read in one step like [`App::first_test_id`].
    pub async fn first_text(&self, css: &str) -> String {
        self.first_in_page(css, "e.innerText").await
    }

    /// The `textContent` of the first element matching `css`, waiting for one.
    pub async fn first_content(&self, css: &str) -> String {
        self.first_in_page(css, "e.textContent").await
    }

    async fn first_in_page(&self, css: &str, read: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let script = format!(
            "const e = document.querySelector(arguments[0]); return e ? String({read}) : null;"
        );
        loop {
            let ret = self
                .driver
                .execute(&script, vec![json!(css)])
                .await
                .unwrap();
            if let Some(found) = ret.json().as_str() {
                return found.to_owned();
            }
            assert!(Instant::now() < deadline, "nothing matching {css} appeared");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Clicks the first element whose `data-testid` starts with `prefix`, waiting for one; if
    /// the list is re-rendered under the click, it finds the element again and retries.
    pub async fn click_first(&self, prefix: &str) {
        let css = format!("[data-testid^='{prefix}']");
        let deadline = Instant::now() + WAIT;
        loop {
            let tried = match self
                .driver
                .query(By::Css(css.clone()))
                .wait(WAIT, POLL)
                .first()
                .await
            {
                Ok(element) => element.click().await,
                Err(err) => Err(err),
            };
            match tried {
                Ok(()) => return,
                Err(err) => {
                    assert!(Instant::now() < deadline, "could not click {css}: {err}");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    }

    /// Whether an element with this `data-testid` is on the screen now.
    pub async fn has(&self, test_id: &str) -> bool {
        !self
            .driver
            .find_all(By::Css(format!("[data-testid='{test_id}']")))
            .await
            .unwrap()
            .is_empty()
    }

    /// Waits until the element's text contains `needle`, and returns the text.
    pub async fn wait_text(&self, test_id: &str, needle: &str) -> String {
        self.wait_text_for(test_id, needle, WAIT).await
    }

    /// `wait_text` with a wait of its own, for what depends on a background pass.
    pub async fn wait_text_for(&self, test_id: &str, needle: &str, wait: Duration) -> String {
        let deadline = Instant::now() + wait;
        loop {
            let text = self.get(test_id).await.text().await.unwrap_or_default();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "[data-testid='{test_id}'] never contained {needle:?}; last text: {text:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Like `wait_text`, but reads the DOM's `textContent` (WebKitWebDriver's visible text skips
    /// parts of some buttons' content).
    pub async fn wait_content(&self, test_id: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self
                .get(test_id)
                .await
                .prop("textContent")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "[data-testid='{test_id}'] never held {needle:?}; last content: {text:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sets an input's value the way a picker would (date and time inputs take no typing in
    /// WebKitWebDriver) and fires its input and change events.
    pub async fn set_value(&self, test_id: &str, value: &str) {
        let input = self.get(test_id).await;
        self.driver
            .execute(
                "arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('input', { bubbles: true }));
                 arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
                vec![input.to_json().unwrap(), serde_json::json!(value)],
            )
            .await
            .unwrap();
    }

    /// Replaces an input's contents with `text`, as typing would.
    pub async fn type_into(&self, test_id: &str, text: &str) {
        let input = self.get(test_id).await;
        input.clear().await.unwrap();
        // WebKitWebDriver's clear does not always tell the page; a person's deleting would.
        self.driver
            .execute(
                "arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![input.to_json().unwrap()],
            )
            .await
            .unwrap();
        if !text.is_empty() {
            input.send_keys(text).await.unwrap();
        }
    }

    pub async fn click(&self, test_id: &str) {
        self.get(test_id).await.click().await.unwrap();
    }

    /// Clicks `test_id` until `opens` appears: a screen that reloads (a change batch arriving
    /// as the click lands) can swallow one click, as it would a person's, who clicks again.
    pub async fn click_until(&self, test_id: &str, opens: &str) {
        for _ in 0..5 {
            let _ = self.get(test_id).await.click().await;
            let deadline = Instant::now() + Duration::from_secs(4);
            while Instant::now() < deadline {
                if self.has(opens).await {
                    return;
                }
                tokio::time::sleep(POLL).await;
            }
        }
        panic!("clicking [data-testid='{test_id}'] never opened [data-testid='{opens}']");
    }

    /// Picks the `<option value=…>` of a `<select>`.
    pub async fn choose(&self, test_id: &str, value: &str) {
        let select = self.get(test_id).await;
        let option = select
            .query(By::Css(format!("option[value='{value}']")))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap_or_else(|e| panic!("{test_id} has no option {value}: {e}"));
        option.click().await.unwrap();
    }

    /// Opens the Sandbox phone if it is closed, and picks the client with this number.
    pub async fn open_sandbox_phone(&self, number: &str) {
        if !self.has("sandbox-phone").await {
            self.click("open-sandbox-phone").await;
        }
        self.choose("sandbox-phone-client", number).await;
    }

    pub async fn value(&self, test_id: &str) -> String {
        self.get(test_id)
            .await
            .value()
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Completes first-run setup and waits for Today.
    pub async fn set_up(&self, business: &str, timezone: &str, region: &str) {
        self.type_into("setup-business-name", business).await;
        self.click("setup-next").await;
        self.choose("setup-timezone", timezone).await;
        self.click("setup-next").await;
        self.choose("setup-region", region).await;
        self.click("setup-finish").await;
        self.wait_text("today-heading", business).await;
    }

    /// Adds a client on the Clients screen and records their consent for appointment texts
    /// (a paper form, recorded by Sam), as the desk does; leaves their page open.
    pub async fn add_client_with_consent(&self, name: &str, phone: &str) {
        self.click("nav-clients").await;
        self.click("add-client").await;
        self.type_into("client-name", name).await;
        self.type_into("client-phone", phone).await;
        self.click("client-save").await;
        self.click("record-consent-service").await;
        self.choose("consent-channel", "paper_form").await;
        self.type_into("consent-recorded-by", "Sam").await;
        self.click("consent-confirm").await;
        self.wait_text("consent-state-service", "granted").await;
    }

    /// Opens the first client in the Clients list.
    pub async fn click_first_client(&self) {
        self.driver
            .query(By::Css("[data-testid^='client-row-']"))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Gives a file input a file, as choosing it in the file dialog would.
    pub async fn attach(&self, test_id: &str, path: &Path) {
        let input = self.get(test_id).await;
        input
            .send_keys(path.canonicalize().unwrap().display().to_string())
            .await
            .unwrap();
    }

    /// Scrolls the first element matching `css` to the middle of its scrolling area.
    pub async fn scroll_to(&self, css: &str) {
        self.driver
            .execute(
                "const e = document.querySelector(arguments[0]);
                 if (e) e.scrollIntoView({block: 'center'});",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap();
    }

    /// The viewport rectangle (left, top, width, height) of the first element matching `css`.
    pub async fn rect(&self, css: &str) -> (f64, f64, f64, f64) {
        let ret = self
            .driver
            .execute(
                "const e = document.querySelector(arguments[0]);
                 if (!e) return null;
                 const r = e.getBoundingClientRect();
                 return [r.left, r.top, r.width, r.height];",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap();
        let v: Vec<f64> = serde_json::from_value(ret.json().clone())
            .unwrap_or_else(|_| panic!("nothing matches {css}"));
        (v[0], v[1], v[2], v[3])
    }

    /// Presses at a point, moves in small steps to another, and releases, as a hand would.
    pub async fn drag(&self, from: (f64, f64), to: (f64, f64)) {
        let steps = 8;
        let mut chain = self
            .driver
            .action_chain()
            .move_to(from.0 as i64, from.1 as i64)
            .click_and_hold();
        let (dx, dy) = (
            (to.0 - from.0) / steps as f64,
            (to.1 - from.1) / steps as f64,
        );
        for i in 1..=steps {
            chain = chain.move_to(
                (from.0 + dx * i as f64) as i64,
                (from.1 + dy * i as f64) as i64,
            );
        }
        chain.release().perform().await.unwrap();
    }

    /// One click at a point of the page, as a mouse would (press and release, no movement).
    pub async fn click_at(&self, at: (f64, f64)) {
        self.driver
            .action_chain()
            .move_to(at.0 as i64, at.1 as i64)
            .click()
            .perform()
            .await
            .unwrap();
    }

    /// Presses keys on whatever has the focus, as a keyboard would.
    pub async fn press(&self, keys: &str) {
        self.driver
            .action_chain()
            .send_keys(keys)
            .perform()
            .await
            .unwrap();
    }

    /// The `data-testid` of the element that has the keyboard (its `id` when it has no test id;
    /// empty for the page itself).
    pub async fn focused(&self) -> String {
        self.driver
            .execute(
                "const e = document.activeElement; \
                 return !e || e === document.body ? '' : (e.dataset.testid || e.id || e.tagName);",
                vec![],
            )
            .await
            .unwrap()
            .json()
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the element with this test id has the keyboard.
    pub async fn wait_focused(&self, test_id: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.focused().await;
            if now == test_id {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the keyboard is on {now:?}, not on {test_id:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Presses Tab until `test_id` has the keyboard, at most `limit` times, and returns the
    /// stops on the way (`test_id` last), so a test can check the order too.
    pub async fn tab_to(&self, test_id: &str, limit: usize) -> Vec<String> {
        let mut stops = Vec::new();
        for _ in 0..limit {
            self.press(TAB).await;
            let now = self.focused().await;
            stops.push(now.clone());
            if now == test_id {
                return stops;
            }
        }
        panic!("{limit} presses of Tab never reached {test_id:?}; they went {stops:?}");
    }

    /// Saves a screenshot as `tests/artifacts/NAME.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = artifacts_dir().join(format!("{name}.png"));
        self.driver.screenshot(&path).await.unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size > 1000, "screenshot {name} is empty");
        path
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
