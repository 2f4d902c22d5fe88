//! The scheduler's pass: the tick loop, and the gate and send for one due message.

use chrono::{DateTime, Utc};
use tidings_domain::planner::SuppressReason;
use tidings_domain::{Change, WriteSource};
use tidings_sms::ProviderError;

use crate::dispatch::AfterFailure;
use crate::gate::Gate;
use crate::outbox::Delivery;
use crate::reminders::{MessageStatus, TickItem, TickReport};
use crate::{Engine, EngineError};

/// Why an automated text waits: the customer's last text may ask to stop, and staff have not
/// reviewed it (DESIGN's inbound texts). It goes, through the gate, once they dismiss the flag.
pub const HELD_FOR_REVIEW: &str =
    "held: the customer's last text may ask us to stop; review it in the Inbox (possible opt-outs)";

impl Engine {
    /// One pass: claimed messages reconciled (once per process), replies read, every due text
    /// through the gate and to the provider, delivery reports asked for.
    pub async fn tick(&self) -> Result<TickReport, EngineError> {
        let now = self.now();
        let mut report = TickReport::default();
        if self.paused.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(report);
        }
        // Paused from the tray: nothing goes out, but replies are still read (a STOP is
        // honoured at once) and texts waiting at the provider are still taken back. Paused
        // because the provider refused us: nothing can be asked of it until that is fixed.
        let held = match self.sending_paused()? {
            None => false,
            Some(reason) if reason == crate::provider::PAUSED_BY_USER => true,
            Some(_) => return Ok(report),
        };
        // Every text a stopped process or an unclear answer left `sending` is checked with the
        // provider before anything new goes out (invariant 3).
        let reconciled = if held {
            Ok(0)
        } else {
            self.reconcile_claimed().await
        };
        match reconciled {
            Ok(_) => {}
            Err(EngineError::Provider(err)) => {
                // Nothing is sent until every claim is accounted for.
                tracing::warn!("claimed texts could not be checked with the provider: {err}");
                if matches!(
                    err,
                    ProviderError::CredentialsRejected | ProviderError::Unavailable(_)
                ) {
                    self.pause_sending(&err.to_string())?;
                }
                return Ok(report);
            }
            Err(err) => return Err(err),
        }
        match self.poll_inbound().await {
            Ok(received) => {
                self.poll_failures
                    .store(0, std::sync::atomic::Ordering::SeqCst);
                self.note_provider_answered()?;
                report.received = received
            }
            Err(EngineError::Provider(
                err @ (ProviderError::CredentialsRejected | ProviderError::Unavailable(_)),
            )) => {
                self.pause_sending(&err.to_string())?;
                return Ok(report);
            }
            Err(EngineError::Provider(err)) => {
                self.poll_failures
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if matches!(err, ProviderError::Transient { .. }) {
                    self.note_provider_silent()?;
                }
                tracing::warn!("replies could not be read this time: {err}");
            }
            Err(err) => return Err(err),
        }
        // Changes first: a handed-off text that is no longer wanted is cancelled at the
        // provider before anything new goes out.
        if let AfterFailure::Stop = self.process_cancellations().await? {
            return Ok(report);
        }
        if held {
            if let Err(err) = self.poll_delivery().await {
                tracing::warn!("delivery reports could not be read: {err}");
            }
            return Ok(report);
        }
        'pass: loop {
            let due = self.store.dispatchable(now, 100)?;
            if due.is_empty() {
                break;
            }
            for m in due {
                if let AfterFailure::Stop = self.process(m.id, now, false, &mut report).await? {
                    break 'pass;
                }
            }
        }
        if self.hands_off() {
            self.hand_off_ahead(now, &mut report).await?;
        }
        if let Err(err) = self.poll_delivery().await {
            tracing::warn!("delivery reports could not be read: {err}");
        }
        if !report.sent.is_empty() || !report.suppressed.is_empty() {
            self.publish(WriteSource::Background, vec![Change::Messages]);
        }
        Ok(report)
    }

    /// The gate (DESIGN invariants 2, 4, 5) and the send, for one due message.
    pub(crate) async fn process(
        &self,
        id: i64,
        now: DateTime<Utc>,
        by_staff: bool,
        report: &mut TickReport,
    ) -> Result<AfterFailure, EngineError> {
        self.process_as(id, now, None, by_staff, report).await
    }

    /// The gate and the send. With `ahead` (a hand-off), the gate judges the message as of its
    /// own send time and the provider holds it until then.
    pub(crate) async fn process_as(
        &self,
        id: i64,
        now: DateTime<Utc>,
        ahead: Option<DateTime<Utc>>,
        by_staff: bool,
        report: &mut TickReport,
    ) -> Result<AfterFailure, EngineError> {
        // One sender at a time per database (invariant 4), held from the claim to the settle.
        let lease = self.sender.acquire(crate::lease::LEASE_WAIT).await?;
        // Claimed in a committed transaction before anything else (invariant 3).
        if !self.store.claim(id, now)? {
            return Ok(AfterFailure::Continue);
        }
        let Some(m) = self.store.message(id)? else {
            return Ok(AfterFailure::Continue);
        };
        let judged_at = ahead.unwrap_or(now);
        let settings = self.settings()?;
        let item = |reason: Option<SuppressReason>| TickItem {
            message_id: m.id,
            appointment_id: m.appointment_id,
            rule_id: m.rule_id,
            to: m.to.clone(),
            reason,
        };
        match self.gate(&m, &settings, judged_at, by_staff)? {
            Err(reason) => {
                let status = if reason.cancels() {
                    MessageStatus::Cancelled
                } else {
                    MessageStatus::Suppressed
                };
                self.store.transition(
                    id,
                    MessageStatus::Sending,
                    status,
                    Some(reason.as_str()),
                    None,
                    now,
                )?;
                if matches!(
                    reason,
                    SuppressReason::AppointmentMoved | SuppressReason::NumberChanged
                ) {
                    if let Some(a) = m.appointment_id {
                        self.replan(a)?;
                    }
                }
                report.suppressed.push(item(Some(reason)));
            }
            Ok(Gate::Later(at)) => {
                self.store.transition(
                    id,
                    MessageStatus::Sending,
                    MessageStatus::Planned,
                    None,
                    Some(at),
                    now,
                )?;
            }
            Ok(Gate::Held(at)) => {
                // Not handed off ahead while held: its own time stays, and it is looked at again.
                self.store.transition(
                    id,
                    MessageStatus::Sending,
                    MessageStatus::Planned,
                    Some(HELD_FOR_REVIEW),
                    Some(ahead.unwrap_or(at)),
                    now,
                )?;
            }
            Ok(Gate::Send {
                body,
                version_id,
                language,
                cost,
            }) => {
                if m.reason.as_deref() == Some(HELD_FOR_REVIEW) {
                    self.store.clear_reason(id, HELD_FOR_REVIEW)?;
                }
                let ready = crate::outbox::Ready {
                    body: &body,
                    version_id,
                    language,
                    cost,
                    ahead,
                    // A handed-off text counts (for caps) from when it goes out.
                    sent_at: judged_at,
                };
                match self.deliver(&lease, &m, ready, now).await? {
                    Delivery::Sent => report.sent.push(item(None)),
                    Delivery::Unknown { .. } => {}
                    Delivery::NotSent { stop: true, .. } => return Ok(AfterFailure::Stop),
                    Delivery::NotSent { stop: false, .. } => report.suppressed.push(item(None)),
                }
            }
        }
        Ok(AfterFailure::Continue)
    }
    /// When the scheduler next has work: the earliest planned send.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, EngineError> {
        Ok(self.store.next_due()?)
    }
}
