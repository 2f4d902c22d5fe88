//! Reading a feed's content: fetching a calendar address or the newest export in a folder,
//! and why a read failed, in the desk's words.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use reqwest::Url;
use tidings_sms::SecretError;
use tidings_store::{FeedKind as StoredKind, FeedRow};

use super::{keyring_account, MAX_FEED_BYTES};
use crate::Engine;

/// A file in a feed folder changed this recently may still be being written: it is read at
/// the next pass.
const SETTLE: StdDuration = StdDuration::from_secs(2);

/// Why a feed could not be read, in the desk's words.
fn http_problem(name: &str, status: reqwest::StatusCode) -> String {
    match status.as_u16() {
        404 | 410 => format!(
            "{name} answered “not found” ({status}): the address may have been reset or the calendar deleted. Copy its address again and add it anew."
        ),
        401 | 403 => format!(
            "{name} refused the address ({status}): it may be private or have been reset. Copy the calendar's secret address again and add it anew."
        ),
        429 => format!("{name} asked Tidings to read less often ({status}); it will try again at the next read."),
        500..=599 => format!("{name} had a problem on its side ({status}); Tidings will try again at the next read."),
        _ => format!("{name} answered {status} instead of the calendar; Tidings will try again at the next read."),
    }
}

fn request_problem(name: &str, err: &reqwest::Error, timeout: StdDuration) -> String {
    if err.is_timeout() {
        let seconds = timeout.as_secs().max(1);
        format!(
            "{name} did not answer within {seconds} second{}; Tidings will try again at the next read. If it keeps happening, check this computer's internet connection.",
            if seconds == 1 { "" } else { "s" }
        )
    } else if err.is_connect() {
        format!("{name} could not be reached: check this computer's internet connection. Tidings will try again at the next read.")
    } else {
        format!("{name} could not be read ({err}); Tidings will try again at the next read.")
    }
}

/// What a body that is not a calendar most likely is.
fn not_a_calendar(name: &str, bytes: &[u8]) -> String {
    if tidings_domain::import::is_web_page(bytes) {
        format!("{name} sent a web page, not a calendar. Use the calendar's iCal (.ics) address: in Google Calendar it is under the calendar's settings, “Secret address in iCal format”.")
    } else if bytes.is_empty() {
        format!("{name} sent nothing back; Tidings will try again at the next read.")
    } else {
        format!("{name} did not send a calendar (an ICS file starts with BEGIN:VCALENDAR). Check that the address is the calendar's iCal address.")
    }
}

impl Engine {
    /// The feed's current content. `Err` is a problem in the desk's words.
    pub(super) async fn read_feed(&self, feed: &FeedRow) -> Result<Vec<u8>, String> {
        match feed.kind {
            StoredKind::IcsUrl => {
                let address = match self.keyring.get(&keyring_account(feed.id)) {
                    Ok(address) => address,
                    Err(SecretError::Missing) => {
                        return Err(format!("The address of {} is not in this computer's keyring (was the data brought from another computer?). Remove the feed and add its address again.", feed.name))
                    }
                    Err(err) => return Err(format!("{} could not be read: {err}", feed.name)),
                };
                let url = Url::parse(address.expose()).map_err(|err| {
                    format!("The stored address of {} is not usable ({err}). Remove the feed and add it again.", feed.name)
                })?;
                self.fetch_calendar(&feed.name, &url).await
            }
            StoredKind::CsvFolder => {
                let folder = PathBuf::from(feed.folder.clone().unwrap_or_default());
                read_newest_file(&feed.name, &folder)
            }
        }
    }

    /// Fetches an ICS address: at most [`MAX_FEED_BYTES`], within the feed timeout, and only
    /// if it is a calendar.
    pub(super) async fn fetch_calendar(&self, name: &str, url: &Url) -> Result<Vec<u8>, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = self.feed_timeout;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(StdDuration::from_secs(10)))
            .user_agent(concat!("Tidings/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| format!("{name} could not be read: {err}"))?;
        let mut response = client
            .get(url.clone())
            .header("Accept", "text/calendar, */*;q=0.5")
            .send()
            .await
            .map_err(|err| request_problem(name, &err, timeout))?;
        if !response.status().is_success() {
            return Err(http_problem(name, response.status()));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| request_problem(name, &err, timeout))?
        {
            if bytes.len() + chunk.len() > MAX_FEED_BYTES {
                return Err(format!(
                    "{name} sent more than {} MB, more than any appointment calendar; check that the address is the calendar's iCal address.",
                    MAX_FEED_BYTES / 1024 / 1024
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if !tidings_domain::appointment_import::is_ics(&bytes) {
            return Err(not_a_calendar(name, &bytes));
        }
        Ok(bytes)
    }
}

/// The newest `.csv` or `.ics` file in a feed folder that has finished being written.
fn read_newest_file(name: &str, folder: &Path) -> Result<Vec<u8>, String> {
    let entries = std::fs::read_dir(folder).map_err(|err| {
        format!(
            "The folder {} could not be read ({err}). Check it still exists and this user may open it.",
            folder.display()
        )
    })?;
    let now = std::time::SystemTime::now();
    let newest = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let file_name = e.file_name().to_string_lossy().to_ascii_lowercase();
            (file_name.ends_with(".csv") || file_name.ends_with(".ics"))
                && !file_name.starts_with('.')
        })
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            let modified = meta.modified().ok()?;
            (meta.is_file() && now.duration_since(modified).unwrap_or_default() >= SETTLE)
                .then(|| (modified, e.path(), meta.len()))
        })
        .max_by_key(|(modified, _, _)| *modified);
    let Some((_, path, len)) = newest else {
        return Err(format!(
            "There is no CSV or ICS file in {} yet. Save the booking system's export there; Tidings reads the newest file each time.",
            folder.display()
        ));
    };
    if len > MAX_FEED_BYTES as u64 {
        return Err(format!(
            "{} is larger than {} MB, more than any appointment export; {name} was not read.",
            path.display(),
            MAX_FEED_BYTES / 1024 / 1024
        ));
    }
    std::fs::read(&path).map_err(|err| format!("{} could not be read: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_is_not_a_calendar_is_named_for_what_it_is() {
        assert!(not_a_calendar("Google Calendar", b"<!DOCTYPE html><html>").contains("web page"));
        assert!(not_a_calendar("X", b"").contains("sent nothing"));
        assert!(not_a_calendar("X", b"{\"error\":1}").contains("BEGIN:VCALENDAR"));
        assert!(http_problem("X", reqwest::StatusCode::NOT_FOUND).contains("not found"));
        assert!(http_problem("X", reqwest::StatusCode::FORBIDDEN).contains("refused"));
        assert!(http_problem("X", reqwest::StatusCode::BAD_GATEWAY).contains("try again"));
    }
}
