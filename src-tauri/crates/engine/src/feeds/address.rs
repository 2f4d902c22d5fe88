//! A feed's address as the desk types it: read as a calendar address or a folder, named for
//! its calendar service, and shown with its secret part hidden.

use std::path::PathBuf;

use reqwest::Url;

use crate::error::bad_input;
use crate::EngineError;

/// Where a feed is read from, as given.
pub(super) enum Source {
    Url(Url),
    Folder(PathBuf),
}

/// Reads an address the desk typed or pasted: a calendar address or a folder.
pub(super) fn parse_address(typed: &str) -> Result<Source, EngineError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(bad_input(
            "address",
            "Paste the calendar's ICS address, or the folder your booking system saves its export into.",
        ));
    }
    if typed.len() > 4000 {
        return Err(bad_input(
            "address",
            "That address is too long to be a calendar address.",
        ));
    }
    let lower = typed.to_ascii_lowercase();
    if let Some(scheme_end) = lower.find("://") {
        let scheme = &lower[..scheme_end];
        let rest = &typed[scheme_end..];
        let as_https = match scheme {
            // webcal:// is how calendar apps link a subscription; it is https underneath.
            "webcal" | "webcals" | "https" => format!("https{rest}"),
            "http" => format!("http{rest}"),
            "file" => {
                return parse_address(&typed[scheme_end + 3..]);
            }
            _ => {
                return Err(bad_input(
                    "address",
                    format!("Tidings reads calendars over https, not {scheme}://. Copy the calendar's https:// or webcal:// address."),
                ))
            }
        };
        let url = Url::parse(&as_https).map_err(|err| {
            bad_input(
                "address",
                format!("That is not a web address Tidings can read ({err}). Copy it again from the calendar's sharing settings."),
            )
        })?;
        let loopback = tidings_domain::provider::is_loopback(&url);
        if url.host_str().unwrap_or_default().is_empty() {
            return Err(bad_input(
                "address",
                "That address has no server name. Copy it again from the calendar's sharing settings.",
            ));
        }
        if url.scheme() == "http" && !loopback {
            return Err(bad_input(
                "address",
                "Use the https:// form of the address: over plain http anyone on the network could read the calendar's secret address.",
            ));
        }
        return Ok(Source::Url(url));
    }
    let path = PathBuf::from(typed);
    if !path.is_absolute() {
        return Err(bad_input(
            "address",
            "Give the whole folder path (for example /home/desk/Bookings), or a calendar address starting with https://.",
        ));
    }
    if path.is_file() {
        return Err(bad_input(
            "address",
            format!(
                "{} is a file. Give the folder your booking system saves its export into; Tidings reads the newest file there each time.",
                path.display()
            ),
        ));
    }
    if !path.is_dir() {
        return Err(bad_input(
            "address",
            format!(
                "There is no folder {} on this computer. Check the path, or create the folder first.",
                path.display()
            ),
        ));
    }
    Ok(Source::Folder(path))
}

/// The calendar service an address belongs to, by its host, for a name the desk recognises.
pub(super) fn service_name(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let known = [
        ("calendar.google.com", "Google Calendar"),
        ("google.com", "Google Calendar"),
        ("acuityscheduling.com", "Acuity"),
        ("squareup.com", "Square"),
        ("square.site", "Square"),
        ("vagaro.com", "Vagaro"),
        ("fresha.com", "Fresha"),
        ("outlook.office365.com", "Outlook"),
        ("outlook.live.com", "Outlook"),
        ("icloud.com", "iCloud Calendar"),
        ("calendly.com", "Calendly"),
    ];
    known
        .iter()
        .find(|(suffix, _)| host == *suffix || host.ends_with(&format!(".{suffix}")))
        .map(|(_, name)| (*name).to_owned())
        .unwrap_or(host)
}

/// The address with everything that could be its secret hidden: the server and the file name
/// stay ("calendar.google.com/…/basic.ics").
pub(super) fn shown_address(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .unwrap_or_default();
    let last: String = last.chars().take(40).collect();
    if url.path() == "/" || url.path().is_empty() {
        format!("{host}{port}")
    } else if url.path().trim_start_matches('/') == last && url.query().is_none() {
        format!("{host}{port}/{last}")
    } else {
        format!("{host}{port}/…/{last}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        match parse_address(s) {
            Ok(Source::Url(u)) => u,
            _ => panic!("{s} was not read as an address"),
        }
    }

    #[test]
    fn addresses_are_read_as_calendar_services_name_them_with_their_secret_hidden() {
        let google = url("https://calendar.google.com/calendar/ical/abc%40group.calendar.google.com/private-0123456789abcdef/basic.ics");
        assert_eq!(service_name(&google), "Google Calendar");
        assert_eq!(shown_address(&google), "calendar.google.com/…/basic.ics");
        let webcal = url("webcal://app.acuityscheduling.com/calendar/feed?owner=1&key=SECRET");
        assert_eq!(webcal.scheme(), "https");
        assert_eq!(service_name(&webcal), "Acuity");
        assert!(!shown_address(&webcal).contains("SECRET"));
        assert_eq!(
            service_name(&url("http://127.0.0.1:8080/cal.ics")),
            "127.0.0.1"
        );
        assert_eq!(
            shown_address(&url("http://127.0.0.1:8080/cal.ics")),
            "127.0.0.1:8080/cal.ics"
        );
    }

    #[test]
    fn an_address_that_cannot_be_a_feed_says_why() {
        let message = |s: &str| match parse_address(s) {
            Err(err) => err.to_string(),
            Ok(_) => panic!("{s} was accepted"),
        };
        assert!(message("").contains("Paste the calendar's ICS address"));
        assert!(message("http://calendar.example.com/cal.ics").contains("https://"));
        assert!(message("ftp://example.com/cal.ics").contains("not ftp://"));
        assert!(message("Bookings").contains("whole folder path"));
        assert!(message("/no/such/folder/anywhere").contains("There is no folder"));
        assert!(message(&"https://x.example/".repeat(300)).contains("too long"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.csv");
        std::fs::write(&file, "a,b\n").unwrap();
        assert!(message(file.to_str().unwrap()).contains("is a file"));
        assert!(matches!(
            parse_address(dir.path().to_str().unwrap()),
            Ok(Source::Folder(_))
        ));
    }
}
