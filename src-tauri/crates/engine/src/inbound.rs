//! Replies from customers: polled from the provider, de-duplicated by its id, matched to a
//! client by number and routed by DESIGN's keyword table.

use chrono::{DateTime, Duration, Utc};
use tidings_domain::keywords::{
    feedback_answer, feedback_is_poor, keyword, looks_like_opt_out, Keyword,
};
use tidings_domain::template::{render, RenderContext};
use tidings_domain::{
    segments, AppointmentStatus, Change, Client, ConsentAction, ConsentState, Purpose, WriteSource,
};
use tidings_sms::InboundText;
use tidings_store::{
    AnsweredAppointment, ArrivedText, InboundEffects, InboundMarks, KeywordConsent, QuestionKind,
    QueuedReply, INBOUND_CURSOR_KEY as CURSOR_KEY,
};

use crate::number_opt_outs::{NUMBER_OPT_IN, NUMBER_OPT_OUT};
use crate::reminders::TickItem;
use crate::{Engine, EngineError};
use tidings_domain::language::{Language, ENGLISH};

/// The language texts to a client go in: their own, else the business's.
pub(crate) fn client_language(
    client: &Client,
    settings: &tidings_domain::Settings,
) -> &'static Language {
    client
        .language
        .as_deref()
        .and_then(tidings_domain::language::language)
        .unwrap_or_else(|| settings.language())
}

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
    ///
    /// What the text does is worked out first (from the keyword table and the client as they
    /// are), then written in one transaction with the text itself: consent, cancellations, the
    /// appointment it answers, its thread, and the automatic answers it queues. Only then are
    /// the answers sent, through the outbox like every text. A failure before the commit leaves
    /// the text unknown, so the next poll routes it again; one after it leaves the answers
    /// queued for the next pass.
    pub async fn receive(&self, text: &InboundText) -> Result<Option<TickItem>, EngineError> {
        // Each poll asks again for a day of texts: the ones already here cost one lookup.
        if self.store.provider_id_known(&text.provider_id)? {
            return Ok(None);
        }
        let now = self.now();
        let settings = self.settings()?;
        let client = self.store.client_by_phone(&text.from)?;
        let route = match &client {
            Some(c) => self.route(c, &text.body, now)?,
            None => Route::from_unknown(&text.body),
        };
        let disclosures = if route.consent.is_empty() {
            Vec::new()
        } else {
            self.store.current_disclosures()?
        };
        let consent: Vec<KeywordConsent<'_>> = route
            .consent
            .iter()
            .filter_map(|(purpose, action)| {
                disclosures
                    .iter()
                    .find(|d| d.purpose == *purpose)
                    .map(|disclosure| KeywordConsent {
                        purpose: *purpose,
                        action: *action,
                        disclosure,
                    })
            })
            .collect();
        let answers = match route.answers {
            Some((id, status)) => {
                let current = self.appointment(id)?;
                (current.status != status).then(|| {
                    let mut record = tidings_store::AppointmentRecord::of(&current);
                    record.status = status;
                    AnsweredAppointment {
                        id,
                        record,
                        audit: self.audit(
                            "customer",
                            WriteSource::Background,
                            "appointment",
                            status.as_str(),
                        ),
                    }
                })
            }
            None => None,
        };
        // The answers, written out now (an unknown number gets none).
        let mut bodies = Vec::new();
        if let Some(c) = &client {
            let language = route
                .language
                .unwrap_or_else(|| client_language(c, &settings));
            for key in &route.replies {
                if let Some((body, written_in)) =
                    self.reply_body(c, key, route.revokes(), &settings, language)?
                {
                    let cost = segments(&body);
                    bodies.push((*key, body, cost, written_in));
                }
            }
        }
        let replies = bodies
            .iter()
            .map(|(key, body, cost, written_in)| QueuedReply {
                key,
                body,
                segments: cost.segments,
                encoding: cost.encoding.as_str(),
                language: written_in,
            })
            .collect();
        let Some(recorded) = self.store.record_inbound(&InboundEffects {
            text: ArrivedText {
                from: &text.from,
                to: &text.to,
                body: &text.body,
                provider_id: &text.provider_id,
                received_at: text.received_at,
            },
            client_id: client.as_ref().map(|c| c.id),
            mark: route.mark,
            consent,
            business_name: &settings.business_name,
            cancel_live: route
                .cancels_live
                .then_some(tidings_domain::SuppressReason::OptedOut.as_str()),
            answers,
            feedback: route.feedback.as_ref().map(|(id, a)| (*id, a.as_str())),
            marks: route.marks,
            replies,
            now,
        })?
        else {
            return Ok(None);
        };
        // Committed. What follows is derived work a later pass would also do.
        let mut changes = vec![
            Change::Reply {
                thread_id: recorded.thread_id,
                from: client
                    .as_ref()
                    .map_or_else(|| text.from.clone(), |c| c.name.clone()),
                preview: text.body.chars().take(120).collect(),
            },
            Change::Messages,
        ];
        let appointment_id = route
            .answers
            .map(|(id, _)| id)
            .or(route.feedback.as_ref().map(|(id, _)| *id));
        if let Some(updated) = &recorded.appointment {
            self.replan(updated.id)?;
            self.plan_follow_up(updated)?;
        }
        if let Some(id) = appointment_id {
            changes.push(Change::Appointment { id });
        }
        if let Some(c) = &client {
            if route.grants() {
                self.replan_client(c.id)?;
            }
            changes.push(Change::Consent { client_id: c.id });
        }
        self.publish(WriteSource::Background, changes);
        self.send_queued(&recorded.replies).await?;
        Ok(Some(TickItem {
            message_id: recorded.message_id,
            appointment_id,
            rule_id: None,
            to: text.from.clone(),
            reason: None,
        }))
    }

    /// What a text from a client does, by DESIGN's keyword table.
    fn route(&self, client: &Client, body: &str, now: DateTime<Utc>) -> Result<Route, EngineError> {
        let opted_out = client.consent.service == ConsentState::Revoked;
        let mut route = Route::default();
        let question = self.store.open_question(client.id, now)?;
        // "How did it go?" takes ratings 1–5 and yes/no before the keyword table does.
        if let (Some(answer), Some((appointment_id, QuestionKind::FollowUp))) =
            (feedback_answer(body), question)
        {
            // A poor answer is for staff to follow up in person.
            route.marks.needs_reply = feedback_is_poor(&answer);
            route.feedback = Some((appointment_id, answer));
            return Ok(route);
        }
        // A keyword in a language other than English is answered in it ("ALTO" in Spanish);
        // otherwise answers go in the client's language.
        route.language = tidings_domain::language::keyword_in(body)
            .map(|(_, l)| l)
            .filter(|l| l.code != "en");
        match keyword(body) {
            Some(Keyword::Stop) => {
                route.consent = Purpose::ALL
                    .iter()
                    .map(|p| (*p, ConsentAction::Revoked))
                    .collect();
                route.cancels_live = true;
                route.replies.push("opt_out_confirmation");
            }
            Some(Keyword::Start) => route.opt_in(),
            Some(Keyword::Yes) if opted_out => route.opt_in(),
            Some(Keyword::Help) => route.replies.push("help_reply"),
            Some(answer @ (Keyword::Yes | Keyword::No)) => {
                // A notice asks "reply 1 to pick a new time": YES or 1 asks to reschedule,
                // anything else goes to staff. A reminder maps YES and NO.
                let question = question
                    .filter(|(_, kind)| *kind != QuestionKind::Notice || answer == Keyword::Yes);
                match question {
                    Some((appointment_id, kind)) => {
                        let (status, template) =
                            if answer == Keyword::Yes && kind == QuestionKind::Reminder {
                                (AppointmentStatus::Confirmed, "confirmation_reply")
                            } else {
                                (AppointmentStatus::RescheduleRequested, "reschedule_reply")
                            };
                        route.answers = Some((appointment_id, status));
                        route.marks.reschedule_requested =
                            status == AppointmentStatus::RescheduleRequested;
                        route.replies.push(template);
                    }
                    // A NO after the booking was confirmed takes the confirmation back: the
                    // appointment is reopened for staff, as a request to reschedule, rather
                    // than left Confirmed behind a holding reply.
                    None if answer == Keyword::No => {
                        route.marks.needs_reply = true;
                        match self.confirmed_soon(client, now)? {
                            Some(appointment_id) => {
                                route.answers =
                                    Some((appointment_id, AppointmentStatus::RescheduleRequested));
                                route.marks.reschedule_requested = true;
                                route.replies.push("reschedule_reply");
                            }
                            None => self.holding_reply(client, &mut route)?,
                        }
                    }
                    // An answer with no open question goes to staff like free text.
                    None => {
                        route.marks.needs_reply = true;
                        self.holding_reply(client, &mut route)?;
                    }
                }
            }
            None => {
                route.marks.needs_reply = true;
                if looks_like_opt_out(body) {
                    route.marks.possible_opt_out = true;
                    route.mark = Some("possible_opt_out");
                } else {
                    // "Please stop texting me" gets no automatic answer: the next text the
                    // customer receives is one a person chose to send.
                    self.holding_reply(client, &mut route)?;
                }
            }
        }
        Ok(route)
    }

    /// The client's next confirmed appointment in the coming week, if any: what a late NO
    /// contradicts.
    fn confirmed_soon(
        &self,
        client: &Client,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, EngineError> {
        Ok(self
            .store
            .appointments_between(now, now + Duration::days(7), None)?
            .into_iter()
            .find(|a| a.client_id == client.id && a.status == AppointmentStatus::Confirmed)
            .map(|a| a.id))
    }

    /// At most one holding reply a day to a client (sent or still queued).
    fn holding_reply(&self, client: &Client, route: &mut Route) -> Result<(), EngineError> {
        if self.store.replies_since(
            &client.phone,
            "holding_reply",
            self.now() - Duration::hours(24),
        )? == 0
        {
            route.replies.push("holding_reply");
        }
        Ok(())
    }

    /// One of the reply templates filled in for a client, or `None` when it is not to be
    /// sent: nothing goes to a client who has opted out (or is opting out now) except the
    /// opt-out confirmation, and with Twilio's own opt-out handling on, Twilio answers STOP,
    /// START and HELP itself.
    fn reply_body(
        &self,
        client: &Client,
        key: &str,
        revoking: bool,
        settings: &tidings_domain::Settings,
        language: &'static Language,
    ) -> Result<Option<(String, &'static str)>, EngineError> {
        let revoked = revoking || client.consent.service == ConsentState::Revoked;
        if revoked && key != "opt_out_confirmation" && key != "opt_in_confirmation" {
            return Ok(None);
        }
        if PROVIDER_ANSWERED.contains(&key)
            && self.provider().kind() == tidings_domain::ProviderKind::Twilio
            && !settings.send_keyword_replies_with_twilio
        {
            return Ok(None);
        }
        let Some(template) = self.store.template_by_key(key)? else {
            return Ok(None);
        };
        // In the language asked for, or English where the template has no text in it.
        let (text, translated) = template.text_in(language.code);
        let language = if translated { language } else { &ENGLISH };
        let zone = client
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
            client_name: client.name.clone(),
            business: settings.business_name.clone(),
            business_phone: settings.business_phone.clone(),
            style: tidings_domain::DateStyle::for_region(&settings.phone_region),
            language,
            starts_at: next.as_ref().map(|a| a.starts_at),
            zone: next
                .as_ref()
                .and_then(|a| a.timezone.parse().ok())
                .unwrap_or(zone),
            service: next.as_ref().and_then(|a| a.service.clone()),
            staff: next.as_ref().and_then(|a| a.staff.clone()),
            location: next.map(|a| a.location).unwrap_or_default(),
        };
        match render(text, &ctx) {
            Ok(body) => Ok(Some((body, language.code))),
            Err(tidings_domain::TemplateError::NoBusinessPhone) if key == "help_reply" => {
                tracing::warn!("HELP answered without the business phone: none is set");
                let without = if language.code == "es" {
                    tidings_domain::template::HELP_WITHOUT_PHONE_ES
                } else {
                    tidings_domain::template::HELP_WITHOUT_PHONE
                };
                Ok(render(without, &ctx).ok().map(|b| (b, language.code)))
            }
            Err(err) => {
                // Today asks for what is missing (the business phone); the customer's text is
                // in the inbox for staff to answer meanwhile.
                tracing::warn!(key, "automatic reply not sent: {err}");
                Ok(None)
            }
        }
    }

    /// Sends the answers a reply queued, through the outbox's gate. While sending is paused
    /// they wait (and go, on current data, once it resumes).
    async fn send_queued(&self, ids: &[i64]) -> Result<(), EngineError> {
        if ids.is_empty() || self.sending_paused()?.is_some() {
            return Ok(());
        }
        let mut report = crate::reminders::TickReport::default();
        for id in ids {
            let now = self.now();
            if let crate::dispatch::AfterFailure::Stop =
                self.process(*id, now, false, &mut report).await?
            {
                break;
            }
        }
        Ok(())
    }
}

/// What one customer text does, worked out before anything is written.
#[derive(Debug, Default)]
struct Route {
    /// A mark kept on the text itself.
    mark: Option<&'static str>,
    consent: Vec<(Purpose, ConsentAction)>,
    cancels_live: bool,
    answers: Option<(i64, AppointmentStatus)>,
    feedback: Option<(i64, String)>,
    marks: InboundMarks,
    /// Reply templates to answer with, in order.
    replies: Vec<&'static str>,
    /// The language of the customer's keyword, when it was not English.
    language: Option<&'static Language>,
}

impl Route {
    /// From a number no client has: a thread for staff, nothing sent back. A STOP (or START)
    /// is kept on the text itself, so a client added later with this number starts opted out
    /// (see `carry_number_opt_out`).
    fn from_unknown(body: &str) -> Self {
        Route {
            mark: match keyword(body) {
                Some(Keyword::Stop) => Some(NUMBER_OPT_OUT),
                Some(Keyword::Start) => Some(NUMBER_OPT_IN),
                _ => None,
            },
            marks: InboundMarks {
                needs_reply: true,
                possible_opt_out: looks_like_opt_out(body),
                ..InboundMarks::default()
            },
            ..Route::default()
        }
    }

    fn opt_in(&mut self) {
        self.consent = vec![(Purpose::Service, ConsentAction::Granted)];
        self.replies.push("opt_in_confirmation");
    }

    fn revokes(&self) -> bool {
        self.consent
            .iter()
            .any(|(_, a)| *a == ConsentAction::Revoked)
    }

    fn grants(&self) -> bool {
        self.consent
            .iter()
            .any(|(_, a)| *a == ConsentAction::Granted)
    }
}
