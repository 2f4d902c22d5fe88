//! What a restore keeps from the database it replaces. A backup rolls the desk's own records
//! back (clients, appointments, templates, settings); it cannot roll back the world. Texts
//! that left for the provider after the backup was taken did go; replies that arrived were
//! read (and answered); and consent the customer gave or withdrew is proof that must never be
//! lost. So a restore carries those over from the copy taken just before it, when that copy is
//! of the same database (same ids, same rows) as the backup:
//!
//! - outbound texts the provider has (or may have): their state replaces the restored one, and
//!   ones created after the backup are added; provider-side cancellations go with them;
//! - every customer text received after the backup, with its thread;
//! - every consent event recorded after the backup (for clients the backup has; a STOP from a
//!   client the backup lacks stays on the text as a number opt-out);
//! - the reply poll's cursors.
//!
//! Written in SQL over an attached copy because it is set-based and per table; the columns are
//! read from the schema, so a migration that adds one needs nothing here.

use rusqlite::{Connection, Transaction};

use crate::StoreError;

/// What a restore kept from after the backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Carried {
    /// Texts handed to the provider after the backup.
    pub texts: u32,
    /// Customer texts received after the backup.
    pub replies: u32,
    pub consent_events: u32,
}

/// The settings key of the reply poll's cursor; each provider's is this with a suffix. A
/// restore keeps the newer ones, so replies already read are not read (and answered) again.
pub const INBOUND_CURSOR_KEY: &str = "inbound_cursor";

/// Statuses that mean the provider has (or may have) the text.
const LEFT: &str = "(b.provider_id IS NOT NULL
    OR b.status IN ('sending', 'sent', 'delivered', 'scheduled_at_provider'))";

/// Whether `before` is a later copy of the database `main` was restored from: the newest row
/// of each table the restored data holds is in it unchanged.
pub(crate) fn same_lineage(conn: &Connection) -> Result<bool, StoreError> {
    for (table, stamp) in [
        ("clients", "created_at"),
        ("messages", "created_at"),
        ("consent_events", "recorded_at"),
    ] {
        let ok: bool = conn.query_row(
            &format!(
                "SELECT NOT EXISTS (SELECT 1 FROM main.{table}) OR EXISTS (
                    SELECT 1 FROM main.{table} m JOIN before.{table} b ON b.id = m.id
                    WHERE m.id = (SELECT max(id) FROM main.{table})
                      AND b.{stamp} IS m.{stamp})"
            ),
            [],
            |r| r.get(0),
        )?;
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The columns of `table`, and for each the expression that reads it from `before` (`b`): a
/// reference to a row the restored data lacks becomes NULL.
fn columns(tx: &Transaction<'_>, table: &str) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let names: Vec<String> = tx
        .prepare(&format!("PRAGMA main.table_info({table})"))?
        .query_map([], |r| r.get::<_, String>(1))?
        .collect::<Result<_, _>>()?;
    let refs: Vec<(String, String, String)> = tx
        .prepare(&format!("PRAGMA main.foreign_key_list({table})"))?
        .query_map([], |r| Ok((r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    let exprs = names
        .iter()
        .map(|c| match refs.iter().find(|(_, from, _)| from == c) {
            Some((parent, _, to)) => {
                format!("CASE WHEN b.{c} IN (SELECT {to} FROM main.{parent}) THEN b.{c} END")
            }
            None => format!("b.{c}"),
        })
        .collect();
    Ok((names, exprs))
}

/// Carries what happened after the backup from `before` into `main` (see the module).
pub(crate) fn carry(tx: &Transaction<'_>) -> Result<Carried, StoreError> {
    let max = |table: &str| -> Result<i64, StoreError> {
        Ok(tx.query_row(
            &format!("SELECT coalesce(max(id), 0) FROM main.{table}"),
            [],
            |r| r.get(0),
        )?)
    };
    let last_message = max("messages")?;
    let last_event = max("consent_events")?;
    let (names, exprs) = columns(tx, "messages")?;
    let list = names.join(", ");
    let select = exprs.join(", ");

    // A reminder the restored data still plans whose rule's reminder for that appointment was
    // on its way to the provider after the backup (claimed, or handed off), or went for the
    // same time: that one is the rule's reminder; the planned one stands down (a move the
    // restore undid is planned again once the one on its way settles).
    tx.execute(
        &format!(
            "UPDATE main.messages SET status = 'cancelled', reason = 'superseded',
            updated_at = (SELECT max(b.updated_at) FROM before.messages b
                          WHERE b.appointment_id = messages.appointment_id
                            AND b.rule_id = messages.rule_id)
         WHERE status IN ('planned', 'retry_wait') AND rule_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM before.messages b
                       WHERE b.appointment_id = messages.appointment_id
                         AND b.rule_id = messages.rule_id AND b.id <> messages.id
                         AND (b.status IN ('sending', 'scheduled_at_provider')
                              OR (b.planned_for IS messages.planned_for AND {LEFT})))"
        ),
        [],
    )?;
    // Texts the restored data has that the provider took after the backup: their real state.
    let settable: Vec<(&String, &String)> = names
        .iter()
        .zip(&exprs)
        .filter(|(n, _)| n.as_str() != "id")
        .collect();
    let moved_on = tx.execute(
        &format!(
            "UPDATE main.messages SET ({}) = (SELECT {} FROM before.messages b WHERE b.id = messages.id)
             WHERE id IN (SELECT b.id FROM before.messages b JOIN main.messages m ON m.id = b.id
                          WHERE b.direction = 'outbound' AND {LEFT}
                            AND (b.status IS NOT m.status OR b.provider_id IS NOT m.provider_id))",
            settable.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", "),
            settable.iter().map(|(_, e)| e.as_str()).collect::<Vec<_>>().join(", "),
        ),
        [],
    )?;
    // Texts created after it: the ones that left, and every reply that came in.
    let added_out = tx.execute(
        &format!(
            "INSERT INTO main.messages ({list}) SELECT {select} FROM before.messages b
             WHERE b.id > ?1 AND b.direction = 'outbound' AND {LEFT}"
        ),
        [last_message],
    )?;
    let replies = tx.execute(
        &format!(
            "INSERT INTO main.messages ({list}) SELECT {select} FROM before.messages b
             WHERE b.id > ?1 AND b.direction = 'inbound'"
        ),
        [last_message],
    )?;
    // Provider-side cancellations of those texts, and the outcome of ones already made.
    tx.execute(
        "INSERT INTO main.provider_cancellations (message_id, provider_id, queued_at, attempts,
            done_at, outcome)
         SELECT b.message_id, b.provider_id, b.queued_at, b.attempts, b.done_at, b.outcome
         FROM before.provider_cancellations b
         WHERE b.message_id IN (SELECT id FROM main.messages)
           AND NOT EXISTS (SELECT 1 FROM main.provider_cancellations p
                           WHERE p.provider_id = b.provider_id)",
        [],
    )?;
    tx.execute(
        "UPDATE main.provider_cancellations SET
            done_at = (SELECT b.done_at FROM before.provider_cancellations b
                       WHERE b.provider_id = provider_cancellations.provider_id
                         AND b.done_at IS NOT NULL LIMIT 1),
            outcome = (SELECT b.outcome FROM before.provider_cancellations b
                       WHERE b.provider_id = provider_cancellations.provider_id
                         AND b.done_at IS NOT NULL LIMIT 1)
         WHERE done_at IS NULL AND provider_id IN (
            SELECT provider_id FROM before.provider_cancellations WHERE done_at IS NOT NULL)",
        [],
    )?;

    // The consent ledger is proof: nothing recorded after the backup is dropped.
    let (names, exprs) = columns(tx, "consent_events")?;
    let consent_events = tx.execute(
        &format!(
            "INSERT INTO main.consent_events ({}) SELECT {} FROM before.consent_events b
             WHERE b.id > ?1 AND b.client_id IN (SELECT id FROM main.clients)",
            names.join(", "),
            exprs.join(", ")
        ),
        [last_event],
    )?;
    // A STOP from a client the backup does not have stands for their number.
    tx.execute(
        "UPDATE main.messages SET reason = 'number_opt_out'
         WHERE id > ?1 AND direction = 'inbound' AND client_id IS NULL AND reason IS NULL
           AND id IN (SELECT e.message_id FROM before.consent_events e
                      WHERE e.action = 'revoked'
                        AND e.id = (SELECT max(l.id) FROM before.consent_events l
                                    WHERE l.client_id = e.client_id AND l.purpose = e.purpose))",
        [last_message],
    )?;

    // Threads: the newer of each.
    let (names, exprs) = columns(tx, "conversations")?;
    let keep: Vec<(&String, &String)> = names
        .iter()
        .zip(&exprs)
        .filter(|(n, _)| n.as_str() != "id")
        .collect();
    tx.execute(
        &format!(
            "INSERT INTO main.conversations ({}) SELECT {} FROM before.conversations b WHERE true
             ON CONFLICT (phone) DO UPDATE SET {}
             WHERE excluded.last_message_at > conversations.last_message_at",
            keep.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            keep.iter()
                .map(|(_, e)| e.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            keep.iter()
                .filter(|(n, _)| n.as_str() != "phone" && n.as_str() != "created_at")
                .map(|(n, _)| format!("{n} = coalesce(excluded.{n}, conversations.{n})"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        [],
    )?;

    // Replies already read are not read (and answered) again.
    tx.execute(
        "INSERT INTO main.settings (key, value, updated_at)
         SELECT key, value, updated_at FROM before.settings WHERE key LIKE ?1 || '%'
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [INBOUND_CURSOR_KEY],
    )?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Carried {
        texts: count(moved_on + added_out),
        replies: count(replies),
        consent_events: count(consent_events),
    })
}
