//! Calendar feeds against a local HTTP server serving an ICS that changes between reads: a new
//! booking appears, a moved one re-plans its reminders, a removed one is cancelled with its
//! texts; a feed that fails (404, a timeout, a web page, an empty answer) leaves everything as
//! it was and says why. A folder feed reads the newest export dropped into it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{AppointmentStatus, SetupInput, WriteSource};
use tidings_engine::{
    Engine, EngineConfig, FeedInput, FeedRead, FixedClock, MessageStatus, Preset,
};
use tidings_sms::Keyring;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, min, 0).unwrap()
}

struct Desk {
    engine: Engine,
    clock: Arc<FixedClock>,
    server: MockServer,
    _dir: tempfile::TempDir,
}

async fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(utc(3, 1, 15, 0)));
    let store: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("tidings.sqlite3"),
        clock: clock.clone(),
        keyring: Keyring::with_store(store),
        feed_timeout: std::time::Duration::from_millis(800),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay Clinic".into(),
                timezone: "America/New_York".into(),
                phone_region: "US".into(),
                business_phone: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .apply_preset(Preset::Standard, WriteSource::Ui, "desk")
        .unwrap();
    Desk {
        engine,
        clock,
        server: MockServer::start().await,
        _dir: dir,
    }
}

/// A calendar as Google writes it: every ordinary event CONFIRMED, the client as a guest or in
/// the title.
fn calendar(events: &[(&str, &str, &str)]) -> String {
    let mut ics = String::from(
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:Front desk\r\nX-WR-TIMEZONE:America/New_York\r\n",
    );
    for (uid, start, title) in events {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nDTSTART:{start}\r\nDTEND:{start}\r\nDURATION:PT1H\r\nDTSTAMP:20270301T000000Z\r\nUID:{uid}\r\nSTATUS:CONFIRMED\r\nSUMMARY:{title}\r\nEND:VEVENT\r\n"
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    // DTEND and DURATION together are not allowed: keep DURATION only.
    ics.lines()
        .filter(|l| !l.starts_with("DTEND:"))
        .map(|l| format!("{l}\r\n"))
        .collect()
}

async fn serve(server: &MockServer, response: ResponseTemplate) {
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/calendar/ical/front-desk/private-s3cret/basic.ics"))
        .respond_with(response)
        .mount(server)
        .await;
}

fn ics(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/calendar; charset=UTF-8")
        .set_body_string(body)
}

fn address(server: &MockServer) -> String {
    format!(
        "{}/calendar/ical/front-desk/private-s3cret/basic.ics",
        server.uri()
    )
}

fn by_external(engine: &Engine, uid: &str) -> tidings_engine::domain::Appointment {
    engine
        .appointments_between(utc(1, 1, 0, 0), utc(12, 31, 0, 0), None)
        .unwrap()
        .into_iter()
        .find(|a| a.external_id.as_deref() == Some(uid))
        .unwrap_or_else(|| panic!("no appointment {uid}"))
}

fn reminders(engine: &Engine, appointment_id: i64) -> Vec<(MessageStatus, Option<DateTime<Utc>>)> {
    engine
        .outbox(Some(appointment_id))
        .unwrap()
        .into_iter()
        .map(|m| (m.status, m.send_at))
        .collect()
}

fn counts(read: &FeedRead) -> (u32, u32, u32, u32) {
    let c = read.changes.as_ref().unwrap_or_else(|| panic!("{read:?}"));
    (c.created, c.updated, c.unchanged, c.removed)
}

#[tokio::test]
async fn a_feed_that_changes_between_reads_books_moves_and_cancels_here() {
    let d = desk().await;
    serve(
        &d.server,
        ics(calendar(&[
            (
                "ann@google.com",
                "20270303T190000Z",
                "Haircut - Ann Lee +1 415 555 2671",
            ),
            (
                "bo@google.com",
                "20270305T150000Z",
                "Colour - Bo Chen (212) 555-0121",
            ),
            (
                "cy@google.com",
                "20270310T140000Z",
                "Trim - Cy Diaz 646-555-0199",
            ),
        ])),
    )
    .await;
    let mut changes = d.engine.subscribe();

    let (feed, first) = d
        .engine
        .add_feed(
            &FeedInput {
                address: address(&d.server),
                name: Some("Front desk calendar".into()),
            },
            WriteSource::Ui,
            "desk",
        )
        .await
        .unwrap();
    assert_eq!(first.problem, None);
    assert_eq!(counts(&first), (3, 0, 0, 0));
    assert_eq!(feed.name, "Front desk calendar");
    assert_eq!(feed.shown, format!("{}/…/basic.ics", d.server.address()));
    assert!(!feed.shown.contains("s3cret"), "the secret part is hidden");
    assert_eq!(feed.last_ok_at, Some(utc(3, 1, 15, 0)));
    assert_eq!(feed.next_read_at, utc(3, 1, 15, 15));
    let ann = by_external(&d.engine, "ann@google.com");
    assert_eq!(ann.client_name, "Ann Lee");
    assert_eq!(ann.service.as_deref(), Some("Haircut"));
    assert_eq!(
        ann.status,
        AppointmentStatus::Booked,
        "CONFIRMED is not the customer's yes"
    );
    assert_eq!(ann.feed.as_deref(), Some("Front desk calendar"));
    let ann_before = reminders(&d.engine, ann.id);
    assert!(
        !ann_before.is_empty(),
        "reminders planned for a feed booking"
    );
    let bo = by_external(&d.engine, "bo@google.com");
    assert!(reminders(&d.engine, bo.id)
        .iter()
        .any(|(s, _)| *s == MessageStatus::Planned));
    let mut saw_feeds = false;
    while let Ok(batch) = changes.try_recv() {
        saw_feeds |= batch
            .changes
            .contains(&tidings_engine::domain::Change::Feeds);
    }
    assert!(saw_feeds, "the window hears that the feed was read");

    // The schedule does not read it again straight after.
    assert!(d.engine.sync_due_feeds().await.unwrap().is_empty());

    // Reading again with nothing changed changes nothing.
    let again = d
        .engine
        .sync_feed(feed.id, WriteSource::Cli, "desk")
        .await
        .unwrap();
    assert_eq!(counts(&again), (0, 0, 3, 0));

    // Ann moves an hour later, Bo is deleted in the calendar, Dee books.
    serve(
        &d.server,
        ics(calendar(&[
            (
                "ann@google.com",
                "20270303T200000Z",
                "Haircut - Ann Lee +1 415 555 2671",
            ),
            (
                "cy@google.com",
                "20270310T140000Z",
                "Trim - Cy Diaz 646-555-0199",
            ),
            (
                "dee@google.com",
                "20270308T160000Z",
                "Haircut - Dee Fox 718-555-0142",
            ),
        ])),
    )
    .await;
    d.clock.advance(Duration::minutes(15));
    let reads = d.engine.sync_due_feeds().await.unwrap();
    assert_eq!(reads.len(), 1, "due after 15 minutes");
    let second = &reads[0];
    assert_eq!(second.problem, None);
    assert_eq!(counts(second), (1, 1, 1, 1));
    assert_eq!(second.removed.len(), 1);
    assert_eq!(second.removed[0].client_name, "Bo Chen");

    let ann_after = by_external(&d.engine, "ann@google.com");
    assert_eq!(ann_after.starts_at, utc(3, 3, 20, 0));
    let planned_after: Vec<_> = reminders(&d.engine, ann.id)
        .into_iter()
        .filter(|(s, _)| *s == MessageStatus::Planned)
        .map(|(_, at)| at.unwrap())
        .collect();
    let planned_before: Vec<_> = ann_before
        .iter()
        .filter(|(s, _)| *s == MessageStatus::Planned)
        .map(|(_, at)| at.unwrap())
        .collect();
    assert_eq!(
        planned_after,
        planned_before
            .iter()
            .map(|t| *t + Duration::hours(1))
            .collect::<Vec<_>>(),
        "the moved booking's reminders follow it"
    );
    let bo_after = by_external(&d.engine, "bo@google.com");
    assert_eq!(bo_after.status, AppointmentStatus::Cancelled);
    assert_eq!(
        bo_after.status_note.as_deref(),
        Some("removed from Front desk calendar")
    );
    assert!(
        reminders(&d.engine, bo.id)
            .iter()
            .all(|(s, _)| *s != MessageStatus::Planned),
        "a removed booking's texts are cancelled with it"
    );
    assert_eq!(
        by_external(&d.engine, "dee@google.com").client_name,
        "Dee Fox"
    );
    // Not due again yet.
    assert!(d.engine.sync_due_feeds().await.unwrap().is_empty());

    // Bo's booking comes back (deleted by mistake and restored there): booked again.
    serve(
        &d.server,
        ics(calendar(&[
            (
                "ann@google.com",
                "20270303T200000Z",
                "Haircut - Ann Lee +1 415 555 2671",
            ),
            (
                "bo@google.com",
                "20270305T150000Z",
                "Colour - Bo Chen (212) 555-0121",
            ),
            (
                "cy@google.com",
                "20270310T140000Z",
                "Trim - Cy Diaz 646-555-0199",
            ),
            (
                "dee@google.com",
                "20270308T160000Z",
                "Haircut - Dee Fox 718-555-0142",
            ),
        ])),
    )
    .await;
    let back = d
        .engine
        .sync_feed(feed.id, WriteSource::Ui, "desk")
        .await
        .unwrap();
    assert_eq!(counts(&back), (0, 1, 3, 0));
    let bo_back = by_external(&d.engine, "bo@google.com");
    assert_eq!(bo_back.status, AppointmentStatus::Booked);
    assert_eq!(bo_back.status_note, None);
    assert!(reminders(&d.engine, bo.id)
        .iter()
        .any(|(s, _)| *s == MessageStatus::Planned));
}

#[tokio::test]
async fn a_feed_that_fails_leaves_everything_as_it_was_and_says_why() {
    let d = desk().await;
    let booked = calendar(&[
        (
            "ann@google.com",
            "20270303T190000Z",
            "Haircut - Ann Lee +1 415 555 2671",
        ),
        (
            "bo@google.com",
            "20270305T150000Z",
            "Colour - Bo Chen (212) 555-0121",
        ),
    ]);
    serve(&d.server, ics(booked.clone())).await;
    let (feed, _) = d
        .engine
        .add_feed(
            &FeedInput {
                address: address(&d.server),
                name: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .await
        .unwrap();
    assert_eq!(
        feed.name, "127.0.0.1",
        "named after its server when unknown"
    );
    let snapshot = || {
        let mut all: Vec<_> = d
            .engine
            .appointments_between(utc(1, 1, 0, 0), utc(12, 31, 0, 0), None)
            .unwrap()
            .into_iter()
            .map(|a| (a.id, a.starts_at, a.status))
            .collect();
        all.sort_by_key(|a| a.0);
        let texts: Vec<_> = d
            .engine
            .outbox(None)
            .unwrap()
            .into_iter()
            .map(|m| (m.id, m.status, m.send_at))
            .collect();
        (all, texts)
    };
    let before = snapshot();
    assert_eq!(before.0.len(), 2);

    let cases: Vec<(&str, ResponseTemplate, &str)> = vec![
        ("404", ResponseTemplate::new(404).set_body_string("Not Found"), "answered “not found” (404 Not Found)"),
        ("403", ResponseTemplate::new(403), "refused the address (403 Forbidden)"),
        ("503", ResponseTemplate::new(503), "had a problem on its side (503 Service Unavailable)"),
        (
            "timeout",
            ics(booked.clone()).set_delay(std::time::Duration::from_secs(3)),
            "did not answer within 1 second;",
        ),
        (
            "a web page",
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<!DOCTYPE html><html><body>Sign in</body></html>"),
            "sent a web page, not a calendar",
        ),
        (
            "an empty calendar",
            ics("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nEND:VCALENDAR\r\n".into()),
            "had no bookings at all this time, so nothing was cancelled here (2 bookings would have been)",
        ),
        (
            "a calendar cut short",
            ics(booked[..booked.len() / 2].to_owned()),
            "",
        ),
    ];
    for (what, response, expected) in cases {
        serve(&d.server, response).await;
        d.clock.advance(Duration::minutes(15));
        let read = d
            .engine
            .sync_feed(feed.id, WriteSource::Background, "feed")
            .await
            .unwrap();
        if expected.is_empty() {
            // A cut calendar either reads as what arrived or is refused; it never cancels
            // what the part that did not arrive held.
            assert_eq!(snapshot().0, before.0, "{what}: {read:?}");
            continue;
        }
        let problem = read
            .problem
            .clone()
            .unwrap_or_else(|| panic!("{what}: {read:?}"));
        assert!(problem.contains(expected), "{what}: {problem}");
        assert_eq!(read.changes, None, "{what}");
        assert_eq!(snapshot(), before, "{what} changed nothing");
        let shown = d.engine.feeds().unwrap().remove(0);
        assert_eq!(shown.problem.as_deref(), Some(problem.as_str()), "{what}");
        assert_eq!(shown.last_read_at, Some(d.engine.now()), "{what}");
        assert_eq!(
            shown.last_ok_at,
            Some(utc(3, 1, 15, 0)),
            "{what}: the last good read stays"
        );
        assert!(shown.last_result.is_some(), "{what}");
    }

    // Back to normal: the problem clears.
    serve(&d.server, ics(booked)).await;
    let read = d
        .engine
        .sync_feed(feed.id, WriteSource::Background, "feed")
        .await
        .unwrap();
    assert_eq!(read.problem, None);
    assert_eq!(d.engine.feeds().unwrap()[0].problem, None);
    assert_eq!(snapshot().0, before.0);
}

#[tokio::test]
async fn an_address_that_cannot_be_read_is_refused_and_nothing_is_kept() {
    let d = desk().await;
    serve(&d.server, ResponseTemplate::new(404)).await;
    let err = d
        .engine
        .add_feed(
            &FeedInput {
                address: address(&d.server),
                name: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .await
        .unwrap_err();
    let payload = err.payload();
    assert_eq!(payload.field.as_deref(), Some("address"));
    assert!(payload.message.contains("not found"), "{}", payload.message);
    assert!(d.engine.feeds().unwrap().is_empty());

    // webcal:// is https underneath: the local server speaks plain http, so it cannot be read
    // that way, and the desk is told.
    let err = d
        .engine
        .add_feed(
            &FeedInput {
                address: format!(
                    "webcal://{}",
                    address(&d.server).trim_start_matches("http://")
                ),
                name: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("could not be"), "{err}");

    // Removing a feed keeps its bookings and forgets its address.
    serve(
        &d.server,
        ics(calendar(&[(
            "ann@google.com",
            "20270303T190000Z",
            "Haircut - Ann Lee +1 415 555 2671",
        )])),
    )
    .await;
    let (feed, _) = d
        .engine
        .add_feed(
            &FeedInput {
                address: address(&d.server),
                name: None,
            },
            WriteSource::Ui,
            "desk",
        )
        .await
        .unwrap();
    d.engine
        .remove_feed(feed.id, WriteSource::Ui, "desk")
        .unwrap();
    assert!(d.engine.feeds().unwrap().is_empty());
    let ann = by_external(&d.engine, "ann@google.com");
    assert_eq!(ann.status, AppointmentStatus::Booked);
    assert_eq!(ann.feed, None);
    assert_eq!(
        d.engine
            .remove_feed(feed.id, WriteSource::Ui, "desk")
            .unwrap_err()
            .code(),
        tidings_engine::ErrorCode::NotFound
    );
}
