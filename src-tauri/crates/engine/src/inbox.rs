//! The reply inbox: threads, reading and answering them, search, and creating a client from
//! an unknown number. Staff answers go through the same claim-before-call dispatcher and the
//! same consent rule as everything else: nothing is sent to someone who opted out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::{
    render, segments, Appointment, Change, Client, Encoding, Purpose, RenderContext, SegmentInfo,
    SuppressReason, WriteSource,
};
use tidings_store::{ConversationChange, ConversationRow, ThreadFilter};
use ts_rs::TS;

use crate::error::bad_input;
use crate::outbox::{Delivery, DirectKind};
use crate::{Engine, EngineError, MessageStatus};
use tidings_domain::gate::recipient_refusal;

/// Longest staff answer: past this a text is a letter, and costs like one.
pub const MAX_REPLY_SEGMENTS: u32 = 3;
const THREAD_LIST_LIMIT: u32 = 500;
pub(crate) const THREAD_TEXTS_LIMIT: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum InboxFilter {
    NeedsReply,
    Reschedule,
    PossibleOptOut,
    Unknown,
    Open,
    All,
    Resolved,
}

impl InboxFilter {
    fn store(self) -> ThreadFilter {
        match self {
            Self::NeedsReply => ThreadFilter::NeedsReply,
            Self::Reschedule => ThreadFilter::Reschedule,
            Self::PossibleOptOut => ThreadFilter::PossibleOptOut,
            Self::Unknown => ThreadFilter::Unknown,
            Self::Open => ThreadFilter::Open,
            Self::All => ThreadFilter::All,
            Self::Resolved => ThreadFilter::Resolved,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "needs_reply" => Self::NeedsReply,
            "reschedule" => Self::Reschedule,
            "possible_opt_out" => Self::PossibleOptOut,
            "unknown" => Self::Unknown,
            "open" => Self::Open,
            "all" => Self::All,
            "resolved" => Self::Resolved,
            _ => return None,
        })
    }
}

/// One thread in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ThreadSummary {
    pub id: i64,
    /// E.164.
    pub phone: String,
    pub client_id: Option<i64>,
    /// `None` for a number no client has.
    pub client_name: Option<String>,
    pub resolved: bool,
    pub unread: u32,
    pub assignee: Option<String>,
    pub needs_reply: bool,
    pub reschedule_requested: bool,
    pub possible_opt_out: bool,
    pub last_message_at: DateTime<Utc>,
    /// Plain text, never markup.
    pub last_preview: String,
}

fn summary(row: ConversationRow) -> ThreadSummary {
    ThreadSummary {
        id: row.id,
        phone: row.phone,
        client_id: row.client_id,
        client_name: row.client_name,
        resolved: row.status == "resolved",
        unread: row.unread,
        assignee: row.assignee,
        needs_reply: row.needs_reply,
        reschedule_requested: row.reschedule_requested,
        possible_opt_out: row.possible_opt_out,
        last_message_at: row.last_message_at,
        last_preview: row.last_preview,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InboxCounts {
    pub needs_reply: u32,
    pub reschedule: u32,
    pub possible_opt_out: u32,
    pub unknown: u32,
    pub open: u32,
    /// Unread texts across open threads. (The badge in navigation and the tray count
    /// `needs_reply`: reading a text does not answer it.)
    pub unread: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InboxView {
    pub threads: Vec<ThreadSummary>,
    pub counts: InboxCounts,
}

/// Who wrote a text on a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Author {
    Customer,
    Staff,
    /// A keyword answer or holding reply Tidings sent itself.
    Automatic,
    Reminder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ThreadText {
    pub id: i64,
    pub author: Author,
    /// Plain text, never markup.
    pub body: String,
    pub status: MessageStatus,
    /// Why a text did not arrive, in words.
    pub reason_text: Option<String>,
    pub at: DateTime<Utc>,
    /// "Possible opt-out" and the like, for the customer's texts.
    pub flagged: Option<String>,
}

/// A ready answer from a reply template, rendered for this customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuickReply {
    pub name: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ThreadView {
    pub thread: ThreadSummary,
    pub client: Option<Client>,
    pub next_appointment: Option<Appointment>,
    pub texts: Vec<ThreadText>,
    pub quick_replies: Vec<QuickReply>,
    /// Why the composer cannot send, when it cannot (opted out, unreachable number).
    pub cannot_reply: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InboxSearchHit {
    pub message_id: i64,
    pub thread_id: Option<i64>,
    pub phone: String,
    pub client_name: Option<String>,
    /// The text around the match, the match between « and » (plain text).
    pub snippet: String,
    pub at: DateTime<Utc>,
    pub from_customer: bool,
}

/// Quick replies offered in the composer.
const QUICK_REPLIES: [(&str, &str); 3] = [
    ("Thanks — see you then", "Thanks {first_name}, see you then! {business}"),
    (
        "We'll call you",
        "Thanks {first_name}, we'll call you shortly to sort that out. {business}",
    ),
    (
        "Call us to book or change",
        "Hi {first_name}, to book or change an appointment please call us on {business_phone}. {business}",
    ),
];

impl Engine {
    pub fn inbox(&self, filter: InboxFilter) -> Result<InboxView, EngineError> {
        let threads = self
            .store
            .conversations(filter.store(), THREAD_LIST_LIMIT)?
            .into_iter()
            .map(summary)
            .collect();
        Ok(InboxView {
            threads,
            counts: self.inbox_counts()?,
        })
    }

    pub fn inbox_counts(&self) -> Result<InboxCounts, EngineError> {
        let c = self.store.conversation_counts()?;
        Ok(InboxCounts {
            needs_reply: c.needs_reply,
            reschedule: c.reschedule,
            possible_opt_out: c.possible_opt_out,
            unknown: c.unknown,
            open: c.open,
            unread: c.unread,
        })
    }

    pub(crate) fn thread_row(&self, id: i64) -> Result<ConversationRow, EngineError> {
        self.store.conversation(id)?.ok_or_else(|| {
            EngineError::NotFound("That conversation is gone; reload the inbox.".into())
        })
    }

    /// A thread with its texts, its client and their next appointment. Opening it marks it
    /// read.
    pub fn open_thread(&self, id: i64, source: WriteSource) -> Result<ThreadView, EngineError> {
        let row = self.thread_row(id)?;
        if row.unread > 0 {
            self.store.update_conversation(
                id,
                &ConversationChange {
                    read: true,
                    ..ConversationChange::default()
                },
                self.now(),
            )?;
            self.publish(source, vec![Change::Thread { id }]);
        }
        self.thread_view(id)
    }

    pub(crate) fn thread_view(&self, id: i64) -> Result<ThreadView, EngineError> {
        let row = self.thread_row(id)?;
        let client = match row.client_id {
            Some(client_id) => self.store.client(client_id)?,
            None => None,
        };
        let now = self.now();
        // The ids come in order of start time: the first live one is the next.
        let next_appointment = match &client {
            Some(c) => self
                .store
                .client_upcoming_appointment_ids(c.id, now)?
                .into_iter()
                .find_map(|a| self.appointment(a).ok().filter(|a| a.status.is_live())),
            None => None,
        };
        let texts = self
            .store
            .thread_messages(&row.phone, THREAD_TEXTS_LIMIT)?
            .into_iter()
            .map(|m| {
                let status = m.status;
                let author = if status == MessageStatus::Received {
                    Author::Customer
                } else if m.rule_id.is_some() {
                    Author::Reminder
                } else if m.sent_by.is_some() {
                    Author::Staff
                } else {
                    Author::Automatic
                };
                let failed = matches!(
                    status,
                    MessageStatus::Failed | MessageStatus::Undelivered | MessageStatus::RetryWait
                );
                ThreadText {
                    id: m.id,
                    author,
                    body: m.body,
                    status,
                    reason_text: if failed { m.reason.clone() } else { None },
                    at: m.sent_at.or(m.send_at).unwrap_or(now),
                    flagged: (author == Author::Customer
                        && m.reason.as_deref() == Some("possible_opt_out"))
                    .then(|| "Possible opt-out — review".to_owned()),
                }
            })
            .collect();
        let cannot_reply = cannot_reply(client.as_ref());
        let quick_replies = self.quick_replies(client.as_ref(), next_appointment.as_ref())?;
        Ok(ThreadView {
            thread: summary(row),
            client,
            next_appointment,
            texts,
            quick_replies,
            cannot_reply,
        })
    }

    fn quick_replies(
        &self,
        client: Option<&Client>,
        next: Option<&Appointment>,
    ) -> Result<Vec<QuickReply>, EngineError> {
        let settings = self.settings()?;
        let zone = settings.zone();
        let ctx = RenderContext {
            minutes: None,
            client_name: client.map(|c| c.name.clone()).unwrap_or_default(),
            business: settings.business_name.clone(),
            business_phone: settings.business_phone.clone(),
            style: tidings_domain::DateStyle::for_region(&settings.phone_region),
            // The quick replies are written in English (the desk's own language for now).
            language: &tidings_domain::language::ENGLISH,
            starts_at: next.map(|a| a.starts_at),
            zone,
            service: next.and_then(|a| a.service.clone()),
            staff: next.and_then(|a| a.staff.clone()),
            location: next.map(|a| a.location.clone()).unwrap_or_default(),
        };
        Ok(QUICK_REPLIES
            .iter()
            .filter(|(_, body)| {
                !body.contains("{business_phone}") || !settings.business_phone.is_empty()
            })
            .filter_map(|(name, body)| {
                render(body, &ctx).ok().map(|body| QuickReply {
                    name: (*name).to_owned(),
                    body: body.split_whitespace().collect::<Vec<_>>().join(" "),
                })
            })
            .collect())
    }

    /// Staff answer a thread. Claimed before the provider is called, like every text; refused
    /// for a customer who opted out or a number that can't receive texts.
    pub async fn reply_in_thread(
        &self,
        id: i64,
        body: &str,
        source: WriteSource,
        actor: &str,
    ) -> Result<ThreadView, EngineError> {
        let row = self.thread_row(id)?;
        let body = body.trim();
        if body.is_empty() {
            return Err(bad_input("body", "Type an answer first."));
        }
        let cost: SegmentInfo = segments(body);
        if cost.segments > MAX_REPLY_SEGMENTS {
            return Err(bad_input(
                "body",
                format!(
                    "That answer is {} texts long; keep it to {MAX_REPLY_SEGMENTS} (about {} characters).",
                    cost.segments,
                    if cost.encoding == Encoding::Ucs2 { 3 * 67 } else { 3 * 153 }
                ),
            ));
        }
        let client = match row.client_id {
            Some(client_id) => self.store.client(client_id)?,
            None => None,
        };
        if let Some(reason) = cannot_reply(client.as_ref()) {
            return Err(bad_input("body", reason));
        }
        let sent = self
            .send_typed_text(client.as_ref().map(|c| c.id), None, &row.phone, body, actor)
            .await;
        if let Err(message) = sent {
            self.publish(source, vec![Change::Messages, Change::Thread { id }]);
            return Err(bad_input(
                "body",
                format!("The answer was not sent: {message}"),
            ));
        }
        let mut audit = self.audit(actor, source, "thread", "reply");
        let id_text = id.to_string();
        audit.entity_id = Some(&id_text);
        self.store.append_audit(audit)?;
        self.publish(source, vec![Change::Messages, Change::Thread { id }]);
        self.thread_view(id)
    }

    /// Sends a text a person typed (or chose) now: claimed before the provider call, retried
    /// by the dispatcher on a transient failure. `Err` carries what went wrong, in words.
    pub(crate) async fn send_typed_text(
        &self,
        client_id: Option<i64>,
        appointment_id: Option<i64>,
        phone: &str,
        body: &str,
        actor: &str,
    ) -> Result<i64, String> {
        let run = async {
            let (message_id, delivery) = self
                .send_direct(
                    client_id,
                    appointment_id,
                    phone,
                    body,
                    DirectKind::Staff { actor },
                )
                .await?;
            Ok(match delivery {
                Delivery::Sent => Ok(message_id),
                // The provider may have it: the thread shows it as being checked, and nothing
                // sends it twice.
                Delivery::Unknown { .. } => Ok(message_id),
                Delivery::NotSent { reason, stop } => {
                    if stop {
                        // Not sent, and sending is paused: not kept waiting silently.
                        self.store.finish_failed(
                            message_id,
                            "planned",
                            "failed",
                            None,
                            &reason,
                            self.now(),
                        )?;
                    }
                    Err(reason)
                }
            })
        };
        let result: Result<Result<i64, String>, EngineError> = run.await;
        match result {
            Ok(outcome) => outcome,
            Err(err) => Err(err.to_string()),
        }
    }

    pub fn search_inbox(&self, typed: &str) -> Result<Vec<InboxSearchHit>, EngineError> {
        Ok(self
            .store
            .search_texts(typed, 100)?
            .into_iter()
            .map(|h| InboxSearchHit {
                message_id: h.message_id,
                thread_id: h.conversation_id,
                phone: h.phone,
                client_name: h.client_name,
                snippet: h.snippet,
                at: h.at,
                from_customer: h.from_customer,
            })
            .collect())
    }
}

/// Why staff can't text this thread's customer, if they can't: the service-text rule every
/// send applies (`recipient_refusal`), in the inbox's words.
fn cannot_reply(client: Option<&Client>) -> Option<String> {
    let c = client?;
    match recipient_refusal(client, Purpose::Service, false)? {
        SuppressReason::OptedOut => Some(format!(
            "{} has opted out of texts. Nothing can be sent until they text START.",
            c.name
        )),
        SuppressReason::InvalidNumber => Some(format!(
            "Texts can't reach {}'s number. Change the number on the client first.",
            c.name
        )),
        _ => None,
    }
}
