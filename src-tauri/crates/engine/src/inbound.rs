//! Replies from customers: polled from the provider, de-duplicated by its id, matched to a
//! client by number and routed by DESIGN's keyword table.

use chrono::Duration;
use tidings_domain::keywords::{
    feedback_answer, feedback_is_poor, keyword, looks_like_opt_out, Keyword,
};
use tidings_domain::template::{render, RenderContext};
use tidings_domain::{
    AppointmentStatus, Change, Client, ConsentAction, ConsentChannel, ConsentState, Purpose,
    WriteSource,
};
use tidings_sms::InboundText;
use tidings_store::{InboundMarks, NewConsentEvent, QuestionKind};

use crate::reminders::TickItem;
use crate::{Engine, EngineError};

const CURSOR_KEY: &str = "inbound_cursor";

/// Replies Twilio's Advanced Opt-Out sends itself (unless the desk asks Tidings to).
const PROVIDER_ANSWERED: [&str; 3] = ["opt_out_confirmation", "opt_in_confirmation", "help_reply"];

/// Each provider keeps its own cursor (the Sandbox counts records; Twilio uses a time).
pub(crate) fn cursor_key(kind: tidings_domain::ProviderKind) -> String {
    match kind {
        tidings_domain::ProviderKind::Sandbox => CURSOR_KEY.to_owned(),
        other => format!("{CURSOR_KEY}:{}", other.as_str()),
    }
}

impl Engine {
    /// Fetches every reply since the stored cursor, all pages, and routes each once. The
    /// cursor moves only after a page is stored, so a restart mid-poll loses nothing and the
    /// provider id keeps a reply from being handled twice.
    pub async fn poll_inbound(&self) -> Result<Vec<TickItem>, EngineError> {
        let mut received = Vec::new();
        let provider = self.provider();
        let key = cursor_key(provider.kind());
        loop {
            let cursor = self.store.kv_get(&key)?;
            let page = provider.list_inbound(cursor.as_deref()).await?;
            if page.texts.is_empty() {
                break;
            }
            for text in &page.texts {
                if let Some(item) = self.receive(text).await? {
                    received.push(item);
                }
            }
            match page.next_cursor {
                Some(next) if Some(&next) != cursor.as_ref() => {
                    self.store.kv_set(&key, &next, self.now())?
                }
                _ => break,
            }
        }
        if !received.is_empty() {
            self.publish(WriteSource::Background, vec![Change::Messages]);
        }
        Ok(received)
    }

    /// Records one reply and acts on it. `None` if it was handled before.
    pub async fn receive(&self, text: &InboundText) -> Result<Option<TickItem>, EngineError> {
        // Each poll asks again for a day of texts: the ones already here cost one lookup.
        if self.store.provider_id_known(&text.provider_id)? {
            return Ok(None);
        }
        let client = self.store.client_by_phone(&text.from)?;
        let Some(id) = self.store.insert_inbound(
            client.as_ref().map(|c| c.id),
            &text.from,
            &text.to,
            &text.body,
            &text.provider_id,
            text.received_at,
        )?
        else {
            return Ok(None);
        };
        let mut item = TickItem {
            message_id: id,
            appointment_id: None,
            rule_id: None,
            to: text.from.clone(),
            reason: None,
        };
        let Some(client) = client else {
            // An unknown number: a thread for staff, nothing sent back. A STOP (or START) is
            // kept on the text itself, so a client added later with this number starts opted
            // out (see `carry_number_opt_out`).
            let mark = match keyword(&text.body) {
                Some(Keyword::Stop) => Some(NUMBER_OPT_OUT),
                Some(Keyword::Start) => Some(NUMBER_OPT_IN),
                _ => None,
            };
            if let Some(mark) = mark {
                self.store
                    .transition(id, "received", "received", Some(mark), None, self.now())?;
            }
            self.thread_arrival(
                text,
                None,
                &text.from,
                InboundMarks {
                    needs_reply: true,
                    possible_opt_out: looks_like_opt_out(&text.body),
                    ..InboundMarks::default()
                },
            )?;
            return Ok(Some(item));
        };
        let now = self.now();
        let opted_out = client.consent.service == ConsentState::Revoked;
        let mut marks = InboundMarks::default();
        // "How did it go?" takes ratings 1–5 and yes/no before the keyword table does.
        if let (Some(answer), Some((appointment_id, QuestionKind::FollowUp))) = (
            feedback_answer(&text.body),
            self.store.open_question(client.id, now)?,
        ) {
            self.store.record_feedback(appointment_id, &answer, now)?;
            item.appointment_id = Some(appointment_id);
            // A poor answer is for staff to follow up in person.
            marks.needs_reply = feedback_is_poor(&answer);
            self.thread_arrival(text, Some(client.id), &client.name, marks)?;
            self.publish(
                WriteSource::Background,
                vec![Change::Appointment { id: appointment_id }, Change::Messages],
            );
            return Ok(Some(item));
        }
        match keyword(&text.body) {
            Some(Keyword::Stop) => {
                for purpose in Purpose::ALL {
                    self.keyword_consent(&client, purpose, ConsentAction::Revoked, id, &text.body)?;
                }
                self.store.cancel_live_for_client(
                    client.id,
                    tidings_domain::SuppressReason::OptedOut.as_str(),
                    now,
                )?;
                self.reply(&client, "opt_out_confirmation").await?;
            }
            Some(Keyword::Start) => {
                self.keyword_consent(
                    &client,
                    Purpose::Service,
                    ConsentAction::Granted,
                    id,
                    &text.body,
                )?;
                self.reply(&client, "opt_in_confirmation").await?;
                self.replan_client(client.id)?;
            }
            Some(Keyword::Yes) if opted_out => {
                self.keyword_consent(
                    &client,
                    Purpose::Service,
                    ConsentAction::Granted,
                    id,
                    &text.body,
                )?;
                self.reply(&client, "opt_in_confirmation").await?;
                self.replan_client(client.id)?;
            }
            Some(Keyword::Help) => self.reply(&client, "help_reply").await?,
            Some(answer @ (Keyword::Yes | Keyword::No)) => {
                // A notice asks "reply 1 to pick a new time": YES or 1 asks to reschedule,
                // anything else goes to staff. A reminder maps YES and NO.
                let question = self
                    .store
                    .open_question(client.id, now)?
                    .filter(|(_, kind)| *kind != QuestionKind::Notice || answer == Keyword::Yes);
                match question {
                    Some((appointment_id, kind)) => {
                        let (status, template) =
                            if answer == Keyword::Yes && kind == QuestionKind::Reminder {
                                (AppointmentStatus::Confirmed, "confirmation_reply")
                            } else {
                                (AppointmentStatus::RescheduleRequested, "reschedule_reply")
                            };
                        self.set_appointment_status(
                            appointment_id,
                            status,
                            WriteSource::Background,
                            "customer",
                        )?;
                        item.appointment_id = Some(appointment_id);
                        marks.reschedule_requested =
                            status == AppointmentStatus::RescheduleRequested;
                        self.reply(&client, template).await?;
                    }
                    // An answer with no open question goes to staff like free text.
                    None => {
                        marks.needs_reply = true;
                        self.holding_reply(&client).await?
                    }
                }
            }
            None => {
                marks.needs_reply = true;
                if looks_like_opt_out(&text.body) {
                    marks.possible_opt_out = true;
                    self.store.transition(
                        id,
                        "received",
                        "received",
                        Some("possible_opt_out"),
                        None,
                        now,
                    )?;
                } else {
                    // "Please stop texting me" gets no automatic answer: the next text the
                    // customer receives is one a person chose to send.
                    self.holding_reply(&client).await?;
                }
            }
        }
        self.thread_arrival(text, Some(client.id), &client.name, marks)?;
        self.publish(
            WriteSource::Background,
            vec![
                Change::Consent {
                    client_id: client.id,
                },
                Change::Messages,
            ],
        );
        Ok(Some(item))
    }

    /// Puts an arrived text on its thread and tells the window (and the desktop).
    fn thread_arrival(
        &self,
        text: &InboundText,
        client_id: Option<i64>,
        from: &str,
        marks: InboundMarks,
    ) -> Result<(), EngineError> {
        let thread_id = self.store.thread_inbound(
            &text.from,
            client_id,
            &text.body,
            marks,
            text.received_at,
        )?;
        self.publish(
            WriteSource::Background,
            vec![Change::Reply {
                thread_id,
                from: from.to_owned(),
                preview: text.body.chars().take(120).collect(),
            }],
        );
        Ok(())
    }

    fn keyword_consent(
        &self,
        client: &Client,
        purpose: Purpose,
        action: ConsentAction,
        message_id: i64,
        body: &str,
    ) -> Result<(), EngineError> {
        let settings = self.settings()?;
        let Some(disclosure) = self
            .store
            .current_disclosures()?
            .into_iter()
            .find(|d| d.purpose == purpose)
        else {
            return Ok(());
        };
        let now = self.now();
        self.store.append_consent(&NewConsentEvent {
            client_id: client.id,
            purpose,
            action,
            channel: ConsentChannel::SmsKeyword,
            disclosure: &disclosure,
            business_name: &settings.business_name,
            recorded_by: "engine",
            occurred_at: now,
            recorded_at: now,
            evidence: Some(&format!("Replied \"{}\"", body.trim())),
            message_id: Some(message_id),
        })?;
        Ok(())
    }

    /// At most one holding reply a day to a client, and none to one who opted out.
    async fn holding_reply(&self, client: &Client) -> Result<(), EngineError> {
        if self.store.replies_since(
            &client.phone,
            "holding_reply",
            self.now() - Duration::hours(24),
        )? > 0
        {
            return Ok(());
        }
        self.reply(client, "holding_reply").await
    }

    /// Sends one of the reply templates. Replies answer the customer, so they do not count
    /// towards caps; nothing is sent to a client who opted out except the opt-out confirmation.
    async fn reply(&self, client: &Client, key: &str) -> Result<(), EngineError> {
        let current = self
            .store
            .client(client.id)?
            .unwrap_or_else(|| client.clone());
        if current.consent.service == ConsentState::Revoked && key != "opt_out_confirmation" {
            return Ok(());
        }
        let settings = self.settings()?;
        if PROVIDER_ANSWERED.contains(&key)
            && self.provider().kind() == tidings_domain::ProviderKind::Twilio
            && !settings.send_keyword_replies_with_twilio
        {
            // Twilio's own opt-out handling has answered STOP, START and HELP already.
            return Ok(());
        }
        let Some(template) = self.store.template_by_key(key)? else {
            return Ok(());
        };
        let zone = current
            .timezone
            .as_deref()
            .unwrap_or(&settings.timezone)
            .parse()
            .unwrap_or(chrono_tz::UTC);
        let next = self
            .store
            .appointments_between(self.now(), self.now() + Duration::days(60), None)?
            .into_iter()
            .find(|a| a.client_id == client.id && a.status.is_live());
        let ctx = RenderContext {
            minutes: None,
            client_name: current.name.clone(),
            business: settings.business_name.clone(),
            business_phone: settings.business_phone.clone(),
            starts_at: next.as_ref().map(|a| a.starts_at),
            zone: next
                .as_ref()
                .and_then(|a| a.timezone.parse().ok())
                .unwrap_or(zone),
            service: next.as_ref().and_then(|a| a.service.clone()),
            staff: next.as_ref().and_then(|a| a.staff.clone()),
            location: next.map(|a| a.location).unwrap_or_default(),
        };
        let Ok(body) = render(&template.body, &ctx) else {
            return Ok(());
        };
        // Through the outbox like every text: claimed first, retried if the provider is busy
        // (a STOP confirmation that failed is sent again, not only logged).
        let (_, delivery) = self
            .send_direct(
                Some(current.id),
                None,
                &current.phone,
                &body,
                crate::outbox::DirectKind::Reply { key },
            )
            .await?;
        if let crate::outbox::Delivery::NotSent { reason, .. } = delivery {
            tracing::warn!("a reply could not be sent yet: {reason}");
        }
        Ok(())
    }
}

/// One text on the Sandbox phone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct SandboxText {
    /// True for texts the customer sent.
    pub from_customer: bool,
    pub body: String,
    /// "delivered", "scheduled", "canceled" or "received".
    pub status: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Engine {
    /// What the Sandbox phone of one number shows: texts to and from it, oldest first.
    pub fn sandbox_conversation(
        &self,
        typed_number: &str,
    ) -> Result<Vec<SandboxText>, EngineError> {
        let region = self.settings()?.phone_region;
        let number = tidings_domain::parse_phone(typed_number, &region)
            .map_err(tidings_domain::ClientError::from)?;
        Ok(self
            .store
            .sandbox_thread(&number, 200)?
            .into_iter()
            .map(|r| SandboxText {
                from_customer: r.direction == tidings_store::SandboxDirection::Inbound,
                body: r.body,
                status: r.status,
                at: chrono::DateTime::parse_from_rfc3339(&r.created_at)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// The Sandbox phone sends a text as the customer; it is routed at once like a real reply.
    pub async fn sandbox_send(
        &self,
        typed_number: &str,
        body: &str,
    ) -> Result<Vec<TickItem>, EngineError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(EngineError::BadInput {
                field: "text",
                message: "Type the customer's message.".into(),
            });
        }
        let region = self.settings()?.phone_region;
        let number = tidings_domain::parse_phone(typed_number, &region)
            .map_err(tidings_domain::ClientError::from)?;
        let sandbox = self.sandbox().ok_or_else(|| EngineError::BadInput {
            field: "text",
            message: "The Sandbox phone works only in Sandbox mode.".into(),
        })?;
        sandbox.customer_sends(&number, body)?;
        self.poll_inbound().await
    }
}

/// The mark on a STOP (or START) from a number no client had when it arrived.
pub(crate) const NUMBER_OPT_OUT: &str = "number_opt_out";
pub(crate) const NUMBER_OPT_IN: &str = "number_opt_in";

impl Engine {
    /// A STOP texted from a number before any client had it still stands once a client has
    /// it: revoked for every purpose, with that text as evidence, unless the client gave
    /// consent after it. Returns whether anything was revoked.
    pub(crate) fn carry_number_opt_out(&self, client_id: i64) -> Result<bool, EngineError> {
        let Some(client) = self.store.client(client_id)? else {
            return Ok(false);
        };
        let Some(stop) = self
            .store
            .number_opt_out(&client.phone, NUMBER_OPT_OUT, NUMBER_OPT_IN)?
        else {
            return Ok(false);
        };
        let events = self.store.consent_events(client.id)?;
        let settings = self.settings()?;
        let now = self.now();
        let mut revoked = false;
        for disclosure in self.store.current_disclosures()? {
            let purpose = disclosure.purpose;
            // Consent the customer gave after the STOP stands; a spreadsheet's "yes" does not
            // outweigh a STOP they texted.
            let granted_since = events.iter().any(|e| {
                e.purpose == purpose
                    && e.action == ConsentAction::Granted
                    && e.channel != ConsentChannel::Import
                    && e.occurred_at > stop.received_at
            });
            if client.consent.get(purpose) == ConsentState::Revoked || granted_since {
                continue;
            }
            self.store.append_consent(&NewConsentEvent {
                client_id: client.id,
                purpose,
                action: ConsentAction::Revoked,
                channel: ConsentChannel::SmsKeyword,
                disclosure: &disclosure,
                business_name: &settings.business_name,
                recorded_by: "engine",
                occurred_at: stop.received_at,
                recorded_at: now,
                evidence: Some(&format!(
                    "Texted \"{}\" from this number before the client was added",
                    stop.body.trim()
                )),
                message_id: Some(stop.message_id),
            })?;
            revoked = true;
        }
        if revoked {
            self.store.cancel_live_for_client(
                client.id,
                tidings_domain::SuppressReason::OptedOut.as_str(),
                now,
            )?;
            self.publish(
                WriteSource::Background,
                vec![Change::Consent {
                    client_id: client.id,
                }],
            );
        }
        Ok(revoked)
    }

    /// `carry_number_opt_out` for every client whose number texted STOP before it was theirs
    /// (after an import, which adds clients in bulk).
    pub(crate) fn carry_number_opt_outs(&self) -> Result<u32, EngineError> {
        let mut n = 0;
        for client_id in self.store.clients_with_number_opt_out(NUMBER_OPT_OUT)? {
            if self.carry_number_opt_out(client_id)? {
                n += 1;
            }
        }
        Ok(n)
    }
}
