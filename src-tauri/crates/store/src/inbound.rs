//! A customer's text and everything it changes, written in one transaction: the text itself,
//! its consent effect, the texts it cancels, the appointment it answers, its thread, and the
//! automatic answers it queues. Either all of it is on disk or none of it is, so a failure
//! half-way (a busy database, a crash) leaves the text unknown and the next poll routes it
//! again; a STOP is never recorded without its revocation.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use tidings_domain::{
    Appointment, ConsentAction, ConsentChannel, Disclosure, MessageStatus, Purpose,
};

use crate::appointments::{stamp, update_appointment, AppointmentRecord};
use crate::audit::NewAuditEntry;
use crate::clients::append_event;
use crate::inbox::{insert_direct_text, thread_inbound, InboundMarks, NewDirectText};
use crate::outbox::cancel_live_for_client;
use crate::{NewConsentEvent, Store, StoreError};

/// The text as the provider reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivedText<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub body: &'a str,
    pub provider_id: &'a str,
    pub received_at: DateTime<Utc>,
}

/// A consent change the text makes, with the disclosure in force when it arrived.
#[derive(Debug, Clone)]
pub struct KeywordConsent<'a> {
    pub purpose: Purpose,
    pub action: ConsentAction,
    pub disclosure: &'a Disclosure,
}

/// An appointment the text answers (YES confirms, NO asks to reschedule).
#[derive(Debug, Clone)]
pub struct AnsweredAppointment<'a> {
    pub id: i64,
    pub record: AppointmentRecord,
    pub audit: NewAuditEntry<'a>,
}

/// An automatic answer, queued `planned` and due at once; the sender claims it after commit,
/// or the next pass does if the process stops first.
#[derive(Debug, Clone)]
pub struct QueuedReply<'a> {
    /// The reply template's key (`opt_out_confirmation`, `holding_reply`, …).
    pub key: &'a str,
    pub body: &'a str,
    pub segments: u32,
    pub encoding: &'a str,
    /// The language it is written in ("es").
    pub language: &'a str,
}

/// Everything one customer text does.
#[derive(Debug, Clone)]
pub struct InboundEffects<'a> {
    pub text: ArrivedText<'a>,
    pub client_id: Option<i64>,
    /// A mark kept on the text (`number_opt_out`, `possible_opt_out`, …).
    pub mark: Option<&'a str>,
    pub consent: Vec<KeywordConsent<'a>>,
    pub business_name: &'a str,
    /// Every live text to the client is cancelled with this reason (after a STOP).
    pub cancel_live: Option<&'a str>,
    pub answers: Option<AnsweredAppointment<'a>>,
    /// A follow-up's answer: (appointment, answer).
    pub feedback: Option<(i64, &'a str)>,
    pub marks: InboundMarks,
    pub replies: Vec<QueuedReply<'a>>,
    pub now: DateTime<Utc>,
}

/// What the transaction wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedInbound {
    pub message_id: i64,
    pub thread_id: i64,
    /// The appointment as answered.
    pub appointment: Option<Appointment>,
    /// The automatic answers queued, in order.
    pub replies: Vec<i64>,
}

impl Store {
    /// Writes a customer's text and all its effects at once. `None` (and nothing written) when
    /// a text with that provider id is already on record.
    pub fn record_inbound(
        &self,
        e: &InboundEffects<'_>,
    ) -> Result<Option<RecordedInbound>, StoreError> {
        self.write(|tx| {
            let t = &e.text;
            let Some(message_id) = insert_inbound(
                tx,
                e.client_id,
                t.from,
                t.to,
                t.body,
                t.provider_id,
                t.received_at,
            )?
            else {
                return Ok(None);
            };
            if let Some(mark) = e.mark {
                tx.execute(
                    "UPDATE messages SET reason = ?2 WHERE id = ?1",
                    rusqlite::params![message_id, mark],
                )?;
            }
            let evidence = format!("Replied \"{}\"", t.body.trim());
            if let Some(client_id) = e.client_id {
                for c in &e.consent {
                    append_event(
                        tx,
                        &NewConsentEvent {
                            client_id,
                            purpose: c.purpose,
                            action: c.action,
                            channel: ConsentChannel::SmsKeyword,
                            disclosure: c.disclosure,
                            business_name: e.business_name,
                            recorded_by: "engine",
                            occurred_at: e.now,
                            recorded_at: e.now,
                            evidence: Some(&evidence),
                            message_id: Some(message_id),
                        },
                    )?;
                }
            }
            if let (Some(client_id), Some(reason)) = (e.client_id, e.cancel_live) {
                cancel_live_for_client(tx, client_id, reason, e.now)?;
            }
            let appointment = match &e.answers {
                Some(a) => update_appointment(tx, a.id, &a.record, e.now, a.audit.clone())?,
                None => None,
            };
            if let Some((appointment_id, answer)) = e.feedback {
                tx.execute(
                    "UPDATE appointments SET feedback = ?2, feedback_at = ?3 WHERE id = ?1",
                    rusqlite::params![appointment_id, answer, crate::stamp(e.now)],
                )?;
            }
            let thread_id =
                thread_inbound(tx, t.from, e.client_id, t.body, e.marks, t.received_at)?;
            let mut replies = Vec::with_capacity(e.replies.len());
            for r in &e.replies {
                replies.push(insert_direct_text(
                    tx,
                    &NewDirectText {
                        client_id: e.client_id,
                        appointment_id: None,
                        to: t.from,
                        body: r.body,
                        reason: r.key,
                        sent_by: None,
                        segments: r.segments,
                        encoding: r.encoding,
                        now: e.now,
                        language: Some(r.language),
                    },
                    MessageStatus::Planned,
                )?);
            }
            Ok(Some(RecordedInbound {
                message_id,
                thread_id,
                appointment,
                replies,
            }))
        })
    }
}

/// Records a text a customer sent, in the caller's transaction; `None` when that provider id
/// was recorded before.
pub(crate) fn insert_inbound(
    tx: &Transaction<'_>,
    client_id: Option<i64>,
    from: &str,
    to: &str,
    body: &str,
    provider_id: &str,
    received_at: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let at = stamp(received_at);
    // Whether this is the first text since staff last wrote (so it waits for an answer).
    let needs_answer: bool = tx.query_row(
        "SELECT NOT EXISTS (
                SELECT 1 FROM messages p WHERE p.direction = 'inbound' AND p.from_number = ?1
                  AND p.sent_at <= ?2
                  AND p.sent_at >= coalesce((
                    SELECT max(y.sent_at) FROM messages y
                    WHERE y.direction = 'outbound' AND y.to_number = ?1
                      AND y.sent_by IS NOT NULL AND y.sent_at <= ?2), '0'))",
        params![from, at],
        |r| r.get(0),
    )?;
    let n = tx.execute(
            "INSERT INTO messages (direction, client_id, purpose, automated, to_number, from_number, body,
                status, provider_id, sent_at, needs_answer, created_at, updated_at)
             VALUES ('inbound', ?1, 'service', 0, ?2, ?3, ?4, 'received', ?5, ?6, ?7, ?6, ?6)
             ON CONFLICT (provider_id) DO NOTHING",
            params![client_id, to, from, body, provider_id, at, needs_answer],
        )?;
    if n == 1 {
        // The client's reminders of the last 48 hours now count as answered, one sent in the
        // same second as the answer included (times are kept to the second).
        tx.execute(
            "UPDATE messages SET replied_at = ?2
                 WHERE direction = 'outbound' AND client_id = ?1 AND rule_id IS NOT NULL
                   AND replied_at IS NULL AND sent_at <= ?2
                   AND sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', ?2, '-48 hours')",
            params![client_id, at],
        )?;
    }
    Ok((n == 1).then(|| tx.last_insert_rowid()))
}
