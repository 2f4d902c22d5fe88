//! Replies read from Twilio's list of texts: each once, across overlapping polls and a restart
//! in the middle of one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod twilio_desk;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use twilio_desk::{desk, messages_path, open, utc, AC};

fn inbound_json(sid: &str, from: &str, body: &str, sent: &str) -> serde_json::Value {
    serde_json::json!({
        "sid": sid, "account_sid": AC, "to": "+14155550100", "from": from, "body": body,
        "status": "received", "direction": "inbound", "num_segments": "1",
        "date_created": sent, "date_sent": sent, "error_code": null, "error_message": null,
    })
}

async fn inbound_page(server: &MockServer, texts: Vec<serde_json::Value>) -> wiremock::MockGuard {
    Mock::given(method("GET"))
        .and(path(messages_path()))
        .and(wiremock::matchers::query_param("To", "+14155550100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "messages": texts, "next_page_uri": null,
        })))
        .mount_as_scoped(server)
        .await
}

#[tokio::test]
async fn twilio_replies_are_read_once_across_overlapping_polls_and_a_restart_mid_poll() {
    let d = desk().await;
    let (client, _) = d.booked("(415) 555-2671");
    let t1 = inbound_json(
        "SM000000000000000000000000000000a1",
        "+14155552671",
        "Can I bring my daughter?",
        "Mon, 01 Mar 2027 15:01:00 +0000",
    );
    let t2 = inbound_json(
        "SM000000000000000000000000000000a2",
        "+14155552671",
        "Also, is there parking?",
        "Mon, 01 Mar 2027 15:02:00 +0000",
    );
    let t3 = inbound_json(
        "SM000000000000000000000000000000a3",
        "+14155559999",
        "Who is this?",
        "Mon, 01 Mar 2027 15:03:00 +0000",
    );
    // The first process read only the first text before it stopped.
    {
        let _page = inbound_page(&d.server, vec![t1.clone()]).await;
        d.tick_at(utc(3, 1, 15, 5)).await;
    }
    drop(d.engine);
    // A new process: Twilio's answer overlaps what was already read (the poll asks from a
    // day before its cursor), newest first as Twilio lists them.
    let engine = open(&d.db, &d.clock, &d.keyring);
    for minute in [6, 7] {
        let _page = inbound_page(&d.server, vec![t3.clone(), t2.clone(), t1.clone()]).await;
        d.clock.set(utc(3, 1, 15, minute));
        engine.tick().await.unwrap();
    }
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    let stored: Vec<(String, i64)> = conn
        .prepare(
            "SELECT provider_id, count(*) FROM messages WHERE direction = 'inbound'
             GROUP BY provider_id ORDER BY provider_id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        stored,
        vec![
            ("SM000000000000000000000000000000a1".to_owned(), 1),
            ("SM000000000000000000000000000000a2".to_owned(), 1),
            ("SM000000000000000000000000000000a3".to_owned(), 1),
        ]
    );
    let threads = engine
        .inbox(tidings_engine::InboxFilter::Open)
        .unwrap()
        .threads;
    assert_eq!(threads.len(), 2, "{threads:#?}");
    let ann = threads
        .iter()
        .find(|t| t.client_id == Some(client))
        .unwrap();
    assert_eq!(ann.unread, 2, "each text counted once");
    assert!(
        threads.iter().any(|t| t.client_id.is_none()),
        "the unknown number"
    );
}
