//! The reply inbox: threads per customer number, their state, and full-text search.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use tidings_domain::MessageStatus;

use crate::clients::time;
use crate::outbox::{message_rows, opt_time, MESSAGE_SQL};
use crate::{stamp, MessageRow, Store, StoreError};

/// Which threads to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadFilter {
    NeedsReply,
    Reschedule,
    PossibleOptOut,
    Unknown,
    Open,
    All,
    Resolved,
}

/// A thread as stored, with its client's name when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    pub id: i64,
    pub phone: String,
    pub client_id: Option<i64>,
    pub client_name: Option<String>,
    pub status: String,
    pub unread: u32,
    pub assignee: Option<String>,
    pub needs_reply: bool,
    pub reschedule_requested: bool,
    pub possible_opt_out: bool,
    pub last_message_at: DateTime<Utc>,
    pub last_preview: String,
    pub first_staff_reply_at: Option<DateTime<Utc>>,
    pub last_inbound_at: Option<DateTime<Utc>>,
}

/// What an incoming text does to its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InboundMarks {
    /// Free text (or an answer to nothing) that staff should answer.
    pub needs_reply: bool,
    pub reschedule_requested: bool,
    pub possible_opt_out: bool,
}

/// How many open threads each filter holds, and unread texts in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConversationCounts {
    pub needs_reply: u32,
    pub reschedule: u32,
    pub possible_opt_out: u32,
    pub unknown: u32,
    pub open: u32,
    pub unread: u32,
}

/// One full-text match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub message_id: i64,
    pub conversation_id: Option<i64>,
    pub phone: String,
    pub client_name: Option<String>,
    /// The matching text with the match between « and ».
    pub snippet: String,
    pub at: DateTime<Utc>,
    pub from_customer: bool,
}

const CONVERSATION_SQL: &str = "SELECT v.id, v.phone, v.client_id, c.name, v.status, v.unread,
        v.assignee, v.needs_reply, v.reschedule_requested, v.possible_opt_out,
        v.last_message_at, v.last_preview, v.first_staff_reply_at, v.last_inbound_at
     FROM conversations v LEFT JOIN clients c ON c.id = v.client_id";

fn conversation(row: &Row<'_>) -> rusqlite::Result<ConversationRow> {
    Ok(ConversationRow {
        id: row.get(0)?,
        phone: row.get(1)?,
        client_id: row.get(2)?,
        client_name: row.get(3)?,
        status: row.get(4)?,
        unread: row.get(5)?,
        assignee: row.get(6)?,
        needs_reply: row.get::<_, i64>(7)? != 0,
        reschedule_requested: row.get::<_, i64>(8)? != 0,
        possible_opt_out: row.get::<_, i64>(9)? != 0,
        last_message_at: time(&row.get::<_, String>(10)?)?,
        last_preview: row.get(11)?,
        first_staff_reply_at: opt_time(row.get(12)?)?,
        last_inbound_at: opt_time(row.get(13)?)?,
    })
}

/// Turns what someone typed into an FTS5 query: every word must appear (as a prefix), and
/// nothing typed can be read as query syntax.
pub fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn preview(body: &str) -> String {
    let one_line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(140).collect()
}

/// A STOP texted from a number before any client had it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberOptOut {
    pub message_id: i64,
    pub body: String,
    pub received_at: DateTime<Utc>,
}

/// A text to send at once, outside any plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewDirectText<'a> {
    pub client_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub to: &'a str,
    pub body: &'a str,
    /// What it is: `staff_reply`, `status_update`, a reply template's key, `test_text`.
    pub reason: &'a str,
    /// Who typed it, for texts a person wrote.
    pub sent_by: Option<&'a str>,
    pub segments: u32,
    pub encoding: &'a str,
    pub now: DateTime<Utc>,
    /// The language it is written in, when Tidings wrote it from a template ("es").
    pub language: Option<&'a str>,
}

impl Store {
    /// A text to send at once (a staff answer or update, a reply template, a test text),
    /// recorded claimed — `sending`, with its body — before the provider is called.
    pub fn insert_direct_text(&self, text: &NewDirectText<'_>) -> Result<i64, StoreError> {
        self.write(|tx| insert_direct_text(tx, text, MessageStatus::Sending))
    }

    /// Staff wrote to a number: its customer texts waiting for an answer are answered now.
    pub fn mark_answered(&self, phone: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE messages SET answered_at = ?2
                 WHERE direction = 'inbound' AND from_number = ?1 AND needs_answer = 1
                   AND answered_at IS NULL AND sent_at <= ?2",
                params![phone, stamp(at)],
            )?;
            Ok(())
        })
    }

    /// A text arrived on the thread of `phone` (created on first contact).
    pub fn thread_inbound(
        &self,
        phone: &str,
        client_id: Option<i64>,
        body: &str,
        marks: InboundMarks,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.write(|tx| thread_inbound(tx, phone, client_id, body, marks, at))
    }

    /// A text went to a thread's number: an automatic reply, or staff answering (which also
    /// settles "needs reply" and marks the thread read). An automatic answer to a text nobody
    /// has read yet leaves that text as the thread's preview: it is what the desk must see.
    pub fn thread_outbound(
        &self,
        phone: &str,
        body: &str,
        by_staff: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE conversations SET last_message_at = ?2, updated_at = ?2,
                    last_preview = CASE WHEN ?4 OR unread = 0 THEN ?3 ELSE last_preview END,
                    needs_reply = CASE WHEN ?4 THEN 0 ELSE needs_reply END,
                    unread = CASE WHEN ?4 THEN 0 ELSE unread END,
                    first_staff_reply_at = CASE WHEN ?4 THEN coalesce(first_staff_reply_at, ?2)
                                                ELSE first_staff_reply_at END
                 WHERE phone = ?1",
                params![phone, stamp(at), preview(body), by_staff],
            )?;
            Ok(())
        })
    }

    pub fn conversations(
        &self,
        filter: ThreadFilter,
        limit: u32,
    ) -> Result<Vec<ConversationRow>, StoreError> {
        let condition = match filter {
            ThreadFilter::NeedsReply => "v.status = 'open' AND v.needs_reply = 1",
            ThreadFilter::Reschedule => "v.status = 'open' AND v.reschedule_requested = 1",
            ThreadFilter::PossibleOptOut => "v.status = 'open' AND v.possible_opt_out = 1",
            ThreadFilter::Unknown => "v.status = 'open' AND v.client_id IS NULL",
            ThreadFilter::Open => "v.status = 'open'",
            ThreadFilter::All => "1",
            ThreadFilter::Resolved => "v.status = 'resolved'",
        };
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{CONVERSATION_SQL} WHERE {condition}
                 ORDER BY v.reschedule_requested DESC, v.last_message_at DESC, v.id DESC LIMIT ?1"
            ))?;
            let rows = stmt
                .query_map([limit], conversation)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn conversation(&self, id: i64) -> Result<Option<ConversationRow>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    &format!("{CONVERSATION_SQL} WHERE v.id = ?1"),
                    [id],
                    conversation,
                )
                .optional()?)
        })
    }

    /// The newest `limit` texts from and to a number, oldest first.
    pub fn thread_messages(&self, phone: &str, limit: u32) -> Result<Vec<MessageRow>, StoreError> {
        self.read(|conn| {
            let mut rows = message_rows(
                conn,
                &format!(
                    "{MESSAGE_SQL} WHERE m.id IN (
                        SELECT id FROM (SELECT id FROM messages WHERE direction = 'inbound' AND from_number = ?1
                                        ORDER BY id DESC LIMIT ?2)
                        UNION ALL
                        SELECT id FROM (SELECT id FROM messages WHERE direction = 'outbound' AND to_number = ?1
                                          AND status NOT IN ('planned', 'suppressed', 'cancelled')
                                        ORDER BY id DESC LIMIT ?2))
                     ORDER BY coalesce(m.sent_at, m.send_at) DESC, m.id DESC LIMIT ?2"
                ),
                params![phone, limit],
            )?;
            rows.reverse();
            Ok(rows)
        })
    }

    /// Changes a thread: read, resolved/reopened, assigned, flags cleared.
    pub fn update_conversation(
        &self,
        id: i64,
        change: &ConversationChange<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE conversations SET
                    unread = CASE WHEN ?2 THEN 0 ELSE unread END,
                    status = coalesce(?3, status),
                    assignee = CASE WHEN ?4 THEN nullif(?5, '') ELSE assignee END,
                    needs_reply = CASE WHEN ?3 = 'resolved' THEN 0 ELSE needs_reply END,
                    reschedule_requested = CASE WHEN ?3 = 'resolved' OR ?6 THEN 0 ELSE reschedule_requested END,
                    possible_opt_out = CASE WHEN ?3 = 'resolved' OR ?7 THEN 0 ELSE possible_opt_out END,
                    updated_at = ?8
                 WHERE id = ?1",
                params![
                    id,
                    change.read,
                    change.status,
                    change.assignee.is_some(),
                    change.assignee.unwrap_or(""),
                    change.clear_reschedule,
                    change.clear_possible_opt_out,
                    stamp(now)
                ],
            )?;
            Ok(n == 1)
        })
    }

    /// The newest STOP texted from `phone` while no client had it (`out_mark`), unless a START
    /// (`in_mark`) came after it.
    pub fn number_opt_out(
        &self,
        phone: &str,
        out_mark: &str,
        in_mark: &str,
    ) -> Result<Option<NumberOptOut>, StoreError> {
        self.read(|conn| {
            let newest: Option<(i64, String, Option<String>, String)> = conn
                .query_row(
                    "SELECT id, body, sent_at, reason FROM messages
                     WHERE direction = 'inbound' AND from_number = ?1 AND reason IN (?2, ?3)
                     ORDER BY id DESC LIMIT 1",
                    params![phone, out_mark, in_mark],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((message_id, body, at, reason)) = newest else {
                return Ok(None);
            };
            if reason != out_mark {
                return Ok(None);
            }
            Ok(opt_time(at)?.map(|received_at| NumberOptOut {
                message_id,
                body,
                received_at,
            }))
        })
    }

    /// Clients whose number texted a STOP marked `out_mark` (before it was theirs).
    pub fn clients_with_number_opt_out(&self, out_mark: &str) -> Result<Vec<i64>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT DISTINCT c.id FROM clients c
                 JOIN messages m ON m.direction = 'inbound' AND m.from_number = c.phone
                 WHERE m.reason = ?1 ORDER BY c.id",
            )?;
            let ids = stmt
                .query_map([out_mark], |r| r.get(0))?
                .collect::<Result<Vec<i64>, _>>()?;
            Ok(ids)
        })
    }

    /// A client now owns the thread's number (created from it, or edited to it).
    pub fn link_conversation(&self, phone: &str, client_id: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE conversations SET client_id = ?2 WHERE phone = ?1",
                params![phone, client_id],
            )?;
            tx.execute(
                "UPDATE messages SET client_id = ?2
                 WHERE client_id IS NULL AND direction = 'inbound' AND from_number = ?1",
                params![phone, client_id],
            )?;
            Ok(())
        })
    }

    /// Open threads per filter and unread texts, in one pass over the table.
    pub fn conversation_counts(&self) -> Result<ConversationCounts, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT count(*) FILTER (WHERE needs_reply = 1),
                        count(*) FILTER (WHERE reschedule_requested = 1),
                        count(*) FILTER (WHERE possible_opt_out = 1),
                        count(*) FILTER (WHERE client_id IS NULL),
                        count(*), coalesce(sum(unread), 0)
                 FROM conversations NOT INDEXED WHERE status = 'open'",
                [],
                |r| {
                    Ok(ConversationCounts {
                        needs_reply: r.get(0)?,
                        reschedule: r.get(1)?,
                        possible_opt_out: r.get(2)?,
                        unknown: r.get(3)?,
                        open: r.get(4)?,
                        unread: r.get(5)?,
                    })
                },
            )?)
        })
    }

    /// Texts matching the typed words, newest first.
    pub fn search_texts(&self, typed: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(typed) else {
            return Ok(Vec::new());
        };
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT m.id, m.direction, m.from_number, m.to_number,
                        snippet(messages_fts, 0, '«', '»', '…', 12),
                        coalesce(m.sent_at, m.created_at)
                 FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
                 WHERE messages_fts MATCH ?1
                 ORDER BY m.id DESC LIMIT ?2",
            )?;
            let hits = stmt
                .query_map(params![query, limit], |r| {
                    let direction: String = r.get(1)?;
                    let from_customer = direction == "inbound";
                    let phone: String = if from_customer { r.get(2)? } else { r.get(3)? };
                    Ok((
                        r.get::<_, i64>(0)?,
                        from_customer,
                        phone,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = Vec::with_capacity(hits.len());
            let mut find = conn.prepare(
                "SELECT v.id, c.name FROM conversations v LEFT JOIN clients c ON c.id = v.client_id
                 WHERE v.phone = ?1",
            )?;
            let mut name_of = conn.prepare("SELECT name FROM clients WHERE phone = ?1")?;
            for (message_id, from_customer, phone, snippet, at) in hits {
                let thread: Option<(i64, Option<String>)> = find
                    .query_row([&phone], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let client_name = match &thread {
                    Some((_, name)) => name.clone(),
                    None => name_of.query_row([&phone], |r| r.get(0)).optional()?,
                };
                out.push(SearchHit {
                    message_id,
                    conversation_id: thread.map(|t| t.0),
                    phone,
                    client_name,
                    snippet,
                    at: time(&at)?,
                    from_customer,
                });
            }
            Ok(out)
        })
    }
}

/// A change to a thread; `None` fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct ConversationChange<'a> {
    pub read: bool,
    pub status: Option<&'a str>,
    /// `Some("")` clears the assignee.
    pub assignee: Option<&'a str>,
    pub clear_reschedule: bool,
    pub clear_possible_opt_out: bool,
}

/// A text arrived on the thread of `phone`, in the caller's transaction.
pub(crate) fn thread_inbound(
    tx: &Transaction<'_>,
    phone: &str,
    client_id: Option<i64>,
    body: &str,
    marks: InboundMarks,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO conversations (phone, client_id, status, unread, needs_reply,
                reschedule_requested, possible_opt_out, last_message_at, last_preview,
                last_inbound_at, created_at, updated_at)
             VALUES (?1, ?2, 'open', ?8, ?3, ?4, ?5, ?6, ?7, ?6, ?6, ?6)
             ON CONFLICT (phone) DO UPDATE SET
                client_id = coalesce(excluded.client_id, client_id),
                status = 'open',
                unread = unread + ?8,
                needs_reply = max(needs_reply, excluded.needs_reply),
                reschedule_requested = max(reschedule_requested, excluded.reschedule_requested),
                possible_opt_out = max(possible_opt_out, excluded.possible_opt_out),
                last_message_at = excluded.last_message_at,
                last_preview = excluded.last_preview,
                last_inbound_at = excluded.last_inbound_at,
                updated_at = excluded.updated_at",
        params![
            phone,
            client_id,
            marks.needs_reply,
            marks.reschedule_requested,
            marks.possible_opt_out,
            stamp(at),
            preview(body),
            // A text Tidings handled in full (a YES that confirmed, a STOP recorded) arrives
            // read: only one that asks something of staff counts as unread.
            u32::from(marks.needs_reply || marks.reschedule_requested || marks.possible_opt_out)
        ],
    )?;
    Ok(tx.query_row(
        "SELECT id FROM conversations WHERE phone = ?1",
        [phone],
        |r| r.get(0),
    )?)
}

/// A text to send at once, in the caller's transaction: `sending` (claimed by the caller) or
/// `planned` (due now, for the next pass to claim).
pub(crate) fn insert_direct_text(
    tx: &Transaction<'_>,
    text: &NewDirectText<'_>,
    status: MessageStatus,
) -> Result<i64, StoreError> {
    tx.execute(
            "INSERT INTO messages (direction, client_id, appointment_id, purpose, automated,
                to_number, body, status, reason, direct_kind, send_at, claimed_at, sent_by,
                segments, encoding, created_at, updated_at, language)
             VALUES ('outbound', ?1, ?2, 'service', 0, ?3, ?4, ?10, ?5, ?5, ?6, CASE WHEN ?10 = 'sending' THEN ?6 END, ?7,
                ?8, ?9, ?6, ?6, ?11)",
            params![
                text.client_id,
                text.appointment_id,
                text.to,
                text.body,
                text.reason,
                stamp(text.now),
                text.sent_by,
                text.segments,
                text.encoding,
                status,
                text.language
            ],
        )?;
    Ok(tx.last_insert_rowid())
}
