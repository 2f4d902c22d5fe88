//! The outbox as staff use it: the list with outlooks, one message, skip, and send now.

use chrono::{DateTime, Utc};
use tidings_domain::gate::Decision;
use tidings_domain::planner::SuppressReason;
use tidings_domain::{Change, Encoding, Settings, WriteSource};
use tidings_store::MessageRow;

use crate::error::bad_input;
use crate::gate::Gate;
use crate::reminders::{MessageStatus, OutboxMessage, Outlook, TickReport};
use crate::templates::default_templates;
use crate::{Engine, EngineError};

fn outbox_view(m: MessageRow) -> OutboxMessage {
    let reason = m.reason.as_deref().and_then(SuppressReason::parse);
    OutboxMessage {
        id: m.id,
        appointment_id: m.appointment_id,
        appointment_starts_at: m.appointment_starts_at,
        rule_id: m.rule_id,
        rule_name: m.rule_name,
        client_id: m.client_id,
        client_name: m.client_name,
        to: m.to,
        status: m.status,
        reason,
        reason_text: reason
            .map(|r| r.describe().to_owned())
            .or_else(|| {
                // Replies record the template they were written from.
                let key = m.reason.as_deref()?;
                default_templates()
                    .into_iter()
                    .find(|(k, ..)| *k == key)
                    .map(|(_, _, name, _)| name.to_owned())
            })
            .or_else(|| {
                // What a text sent at once is, in words.
                let word = match m.reason.as_deref()? {
                    "test_text" => "Test text",
                    "staff_reply" => "Answer from staff",
                    "status_update" => "Status update",
                    _ => return None,
                };
                Some(word.to_owned())
            })
            .or(m.reason.filter(|r| SuppressReason::parse(r).is_none())),
        send_at: m.send_at,
        sent_at: m.sent_at,
        body: m.body,
        segments: m.segments,
        encoding: Encoding::parse(&m.encoding),
        template_version: m.template_version,
        outlook: None,
    }
}

impl Engine {
    /// Planned sends first, then recent history; or one appointment's messages.
    pub fn outbox(&self, appointment_id: Option<i64>) -> Result<Vec<OutboxMessage>, EngineError> {
        let rows = match appointment_id {
            Some(id) => self.store.appointment_messages(id)?,
            None => self.store.outbox(200)?,
        };
        let settings = self.settings()?;
        let now = self.now();
        rows.into_iter()
            .map(|row| {
                let outlook = self.outlook(&row, &settings, now)?;
                Ok(OutboxMessage {
                    outlook,
                    ..outbox_view(row)
                })
            })
            .collect()
    }

    /// What will happen to a text still waiting to go: the gate (and the rendering) of send
    /// time, on current data, for the moment it is due (or now, if that has passed). `None` for a text that has gone or
    /// stopped, or is already with the provider.
    pub(crate) fn outlook(
        &self,
        m: &MessageRow,
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> Result<Option<Outlook>, EngineError> {
        if !matches!(m.status, MessageStatus::Planned | MessageStatus::RetryWait) {
            return Ok(None);
        }
        let due = m.send_at.map_or(now, |at| at.max(now));
        // The whole send-time path, rendering included: a text whose words can't be filled in
        // (no business phone) won't go either.
        let decision = match self.gate(m, settings, due, false)? {
            Ok(Gate::Send { .. }) => Decision::Send,
            Ok(Gate::Later(at)) => Decision::Later(at),
            Ok(Gate::Held(at)) => Decision::Held(at),
            Err(reason) => Decision::Suppress(reason),
        };
        Ok(Some(tidings_domain::gate::outlook(decision, due)))
    }

    /// Staff skip a planned text.
    pub fn skip_message(&self, id: i64, source: WriteSource) -> Result<OutboxMessage, EngineError> {
        let now = self.now();
        match self.store.transition(
            id,
            MessageStatus::Planned,
            MessageStatus::Suppressed,
            Some(SuppressReason::StaffCancelled.as_str()),
            None,
            now,
        ) {
            Ok(()) => {}
            Err(tidings_store::StoreError::Moved { .. }) => {
                return Err(bad_input(
                    "id",
                    "That text is no longer waiting to go; reload the list.",
                ))
            }
            Err(err) => return Err(err.into()),
        }
        self.publish(source, vec![Change::Messages]);
        self.outbox_message(id)
    }

    /// One message as the outbox shows it.
    pub fn outbox_message(&self, id: i64) -> Result<OutboxMessage, EngineError> {
        let row = self
            .store
            .message(id)?
            .ok_or_else(|| EngineError::NotFound("That text is gone.".into()))?;
        Ok(outbox_view(row))
    }

    /// Sends a planned text now, through the same gate as the scheduler.
    pub async fn send_now(
        &self,
        id: i64,
        source: WriteSource,
    ) -> Result<OutboxMessage, EngineError> {
        let now = self.now();
        let row = self
            .store
            .message(id)?
            .ok_or_else(|| EngineError::NotFound("That text is gone.".into()))?;
        if row.status != MessageStatus::Planned {
            return Err(bad_input(
                "id",
                "That text is no longer waiting to go; reload the list.",
            ));
        }
        self.store.transition(
            id,
            MessageStatus::Planned,
            MessageStatus::Planned,
            None,
            Some(now),
            now,
        )?;
        let mut report = TickReport::default();
        self.process(id, now, true, &mut report).await?;
        self.publish(source, vec![Change::Messages]);
        self.outbox_message(id)
    }
}
