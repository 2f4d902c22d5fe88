//! Prism, the OpenAPI mock server the contract tests run the real clients against: it checks
//! every request against a vendor's own description and, with `--errors`, refuses one that
//! breaks it.

use std::fs::File;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::crate_dir;

/// How long Prism may take to read a large spec and listen.
const STARTUP: Duration = Duration::from_secs(60);

/// A running Prism, in its own process group; dropping it stops the whole group, so a failed
/// test leaves no server behind.
pub struct Prism {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
    pub started_in: Duration,
}

impl Prism {
    /// Starts Prism on a free port with `--errors` against the OpenAPI description at `spec`.
    pub fn start(spec: &Path) -> Self {
        Self::start_with(spec, &[])
    }

    /// Prism checking requests only, answering from the schema (`--dynamic`): for a
    /// description its own generated answers do not pass (SMSGate's nests its state enums in a
    /// way Prism reads as objects), which `--errors` would turn into 500s although the request
    /// passed. A request that breaks the spec is still refused (422) and logged.
    pub fn start_checking_requests(spec: &Path) -> Self {
        Self::start_with(spec, &["--dynamic"])
    }

    fn start_with(spec: &Path, extra: &[&str]) -> Self {
        let errors = if extra.is_empty() {
            &["--errors"][..]
        } else {
            &[][..]
        };
        let prism = crate_dir().join("node_modules/.bin/prism");
        assert!(
            prism.exists(),
            "Prism is not installed ({} is missing). Install it with `npm ci --prefix tests` \
             from the repository root (`.ci/install` does this for `.ci/test`).",
            prism.display()
        );
        let port = free_port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let started = Instant::now();
        let child = Command::new(&prism)
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .args(errors)
            .args(extra)
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|err| panic!("could not start {}: {err}", prism.display()));
        let mut prism = Prism {
            child,
            port,
            log,
            started_in: Duration::ZERO,
        };
        prism.wait_until_listening(started);
        prism
    }

    fn wait_until_listening(&mut self, started: Instant) {
        let address = format!("127.0.0.1:{}", self.port);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "Prism exited before listening ({status}). Its output:\n{}",
                    self.log_text()
                );
            }
            // Prism announces itself once its routes are ready; the port alone opens earlier.
            if TcpStream::connect(&address).is_ok()
                && self.log_text().contains("Prism is listening")
            {
                self.started_in = started.elapsed();
                return;
            }
            assert!(
                started.elapsed() < STARTUP,
                "Prism did not listen on {address} within {STARTUP:?}. Its output:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log_text(&self) -> String {
        let mut text = String::new();
        File::open(self.log.path())
            .and_then(|mut f| f.read_to_string(&mut text))
            .unwrap();
        text
    }

    /// Prism's lines about failed validation and refused requests, for failure messages.
    pub fn complaints(&self) -> String {
        self.log_text()
            .lines()
            .filter(|l| l.contains('✖') || l.contains('⚠') || l.contains("did not pass"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Whatever is still alive in the group (the leader, or a node child it left) goes now.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
