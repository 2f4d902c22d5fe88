//! What staff do to a thread besides answering it: resolving or reopening it, giving it to
//! someone, reviewing a possible opt-out, and creating a client for an unknown number.

use tidings_domain::{Change, ClientInput, ConsentAction, ConsentChannel, WriteSource};
use tidings_store::{ConversationChange, NewConsentEvent};

use crate::error::bad_input;
use crate::inbox::{ThreadView, THREAD_TEXTS_LIMIT};
use crate::{Engine, EngineError, MessageStatus};

impl Engine {
    /// Resolve or reopen a thread.
    pub fn resolve_thread(
        &self,
        id: i64,
        resolved: bool,
        source: WriteSource,
    ) -> Result<ThreadView, EngineError> {
        self.thread_row(id)?;
        self.store.update_conversation(
            id,
            &ConversationChange {
                read: resolved,
                status: Some(if resolved { "resolved" } else { "open" }),
                ..ConversationChange::default()
            },
            self.now(),
        )?;
        self.publish(source, vec![Change::Thread { id }]);
        self.thread_view(id)
    }

    /// Give a thread to a staff member (an empty name clears it).
    pub fn assign_thread(
        &self,
        id: i64,
        assignee: &str,
        source: WriteSource,
    ) -> Result<ThreadView, EngineError> {
        let name = assignee.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() > 80 {
            return Err(bad_input(
                "assignee",
                "Keep the name to 80 characters or fewer.",
            ));
        }
        self.thread_row(id)?;
        self.store.update_conversation(
            id,
            &ConversationChange {
                assignee: Some(&name),
                ..ConversationChange::default()
            },
            self.now(),
        )?;
        self.publish(source, vec![Change::Thread { id }]);
        self.thread_view(id)
    }

    /// "Possible opt-out — review": either record the opt-out (the customer's text is the
    /// evidence) or dismiss the flag.
    pub fn review_possible_opt_out(
        &self,
        id: i64,
        record: bool,
        recorded_by: &str,
        source: WriteSource,
    ) -> Result<ThreadView, EngineError> {
        let row = self.thread_row(id)?;
        let recorded_by = recorded_by.split_whitespace().collect::<Vec<_>>().join(" ");
        if record {
            if recorded_by.is_empty() {
                return Err(bad_input(
                    "recorded_by",
                    "Enter the name of the person recording this.",
                ));
            }
            let client_id = row.client_id.ok_or_else(|| {
                bad_input(
                    "recorded_by",
                    "This number has no client yet; create the client first.",
                )
            })?;
            let texts = self.store.thread_messages(&row.phone, THREAD_TEXTS_LIMIT)?;
            let evidence = texts
                .iter()
                .rev()
                .find(|m| m.reason.as_deref() == Some("possible_opt_out"))
                .or_else(|| {
                    texts
                        .iter()
                        .rev()
                        .find(|m| m.status == MessageStatus::Received)
                });
            let settings = self.settings()?;
            let now = self.now();
            for disclosure in self.store.current_disclosures()? {
                self.store.append_consent(&NewConsentEvent {
                    client_id,
                    purpose: disclosure.purpose,
                    action: ConsentAction::Revoked,
                    channel: ConsentChannel::SmsKeyword,
                    disclosure: &disclosure,
                    business_name: &settings.business_name,
                    recorded_by: &recorded_by,
                    occurred_at: evidence.and_then(|m| m.sent_at).unwrap_or(now),
                    recorded_at: now,
                    evidence: evidence
                        .map(|m| format!("Texted \"{}\" (reviewed by {recorded_by})", m.body))
                        .as_deref(),
                    message_id: evidence.map(|m| m.id),
                })?;
            }
            self.store.cancel_live_for_client(
                client_id,
                tidings_domain::SuppressReason::OptedOut.as_str(),
                now,
            )?;
            self.publish(
                source,
                vec![Change::Consent { client_id }, Change::Messages],
            );
        }
        self.store.update_conversation(
            id,
            &ConversationChange {
                clear_possible_opt_out: true,
                ..ConversationChange::default()
            },
            self.now(),
        )?;
        self.publish(source, vec![Change::Thread { id }]);
        self.thread_view(id)
    }

    /// Creates a client for an unknown number and ties the thread (and its texts) to them.
    pub fn create_client_from_thread(
        &self,
        id: i64,
        name: &str,
        source: WriteSource,
        actor: &str,
    ) -> Result<ThreadView, EngineError> {
        let row = self.thread_row(id)?;
        if row.client_id.is_some() {
            return Err(bad_input(
                "name",
                "This conversation already belongs to a client.",
            ));
        }
        let client = self.create_client(
            &ClientInput {
                name: name.to_owned(),
                phone: row.phone.clone(),
                ..ClientInput::default()
            },
            source,
            actor,
        )?;
        self.store.link_conversation(&row.phone, client.id)?;
        self.publish(source, vec![Change::Thread { id }, Change::Clients]);
        self.thread_view(id)
    }
}
