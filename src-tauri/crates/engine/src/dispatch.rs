//! The dispatcher's side of sending: what each provider failure does, start-up reconciliation
//! of claimed messages, delivery reports, hand-offs ahead of time and provider-side cancels.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tidings_domain::{
    describe_error_code, Change, ConsentAction, ConsentChannel, ConsentState, MessageStatus,
    ProviderKind, SuppressReason, WriteSource,
};
use tidings_sms::{ProviderError, ProviderStatus};
use tidings_store::{MessageRow, NewConsentEvent};

use crate::{Engine, EngineError};

/// Attempts before a transiently failing text is given up as failed.
pub const MAX_ATTEMPTS: u32 = 5;
/// Delivery reports are asked for this long after sending; then the text counts as failed.
const DELIVERY_WINDOW_HOURS: i64 = 72;

/// Twilio schedules texts from 15 minutes ahead; Tidings hands over up to 7 days ahead.
const HAND_OFF_MIN_MINUTES: i64 = 15;
const HAND_OFF_MAX_DAYS: i64 = 7;

/// The wait before retry number `attempt` (1-based): 30 s doubling to at most 30 min, with
/// ±50 % jitter so a burst of failures does not retry in lockstep.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base = 30.0 * 2f64.powi(attempt.saturating_sub(1).min(10) as i32);
    let capped = base.min(1800.0);
    Duration::milliseconds((capped * (0.5 + jitter.clamp(0.0, 1.0)) * 1000.0) as i64)
}

/// Our status word for what the provider said at hand-over.
pub(crate) fn message_status(status: ProviderStatus) -> MessageStatus {
    match status {
        ProviderStatus::Delivered => MessageStatus::Delivered,
        ProviderStatus::Scheduled => MessageStatus::ScheduledAtProvider,
        ProviderStatus::Undelivered => MessageStatus::Undelivered,
        ProviderStatus::Failed => MessageStatus::Failed,
        ProviderStatus::Canceled => MessageStatus::Cancelled,
        ProviderStatus::Queued | ProviderStatus::Sent => MessageStatus::Sent,
    }
}

/// What the scheduler does after a provider failure.
pub(crate) enum AfterFailure {
    /// Go on with the next message.
    Continue,
    /// Sending is paused: stop this pass.
    Stop,
}

impl Engine {
    /// How long a text whose send had no clear answer is given to appear in the provider's
    /// records before "not there" counts: the desk's setting, or the provider's own figure.
    pub(crate) fn records_lag(&self) -> StdDuration {
        match self
            .settings()
            .ok()
            .and_then(|s| s.provider_records_lag_seconds)
        {
            Some(seconds) => StdDuration::from_secs(u64::from(seconds)),
            None => self.provider().records_lag(),
        }
    }

    /// Invariant 3: every text left `sending` — claimed by a process that stopped mid-send, or
    /// sent without a clear answer — is matched against the provider's own records before
    /// anything resends it. Found: settled with the provider's id. Not there once the
    /// provider's records have had time to show it: due again, through the gate. Otherwise it
    /// waits for a later pass. Runs under the sender lease, so every `sending` row it sees
    /// belongs to no live send (invariant 4). Returns how many were settled.
    pub(crate) async fn reconcile_claimed(&self) -> Result<u32, EngineError> {
        let _lease = self.sender.acquire(crate::lease::LEASE_WAIT).await?;
        let now = self.now();
        let provider = self.provider();
        let lag = self.records_lag();
        let mut settled = 0;
        for claimed in self.store.claimed_messages()? {
            let m = &claimed.message;
            if m.body.is_empty() {
                // Stopped between the claim and writing the text down: it never reached the
                // provider.
                self.store.release_claim(m.id, now)?;
                self.replan_if_moved(m)?;
                continue;
            }
            // An hour of slack for a desk clock that disagrees with the provider's.
            let since = claimed.claimed_at.unwrap_or(now - Duration::days(1)) - Duration::hours(1);
            let mut found = None;
            for record in provider.messages_to(&m.to, since).await? {
                if record.body == m.body && !self.store.provider_id_known(&record.provider_id)? {
                    found = Some(record);
                    break;
                }
            }
            if let Some(record) = found {
                let status = message_status(record.status);
                self.store
                    .settle_claimed(m.id, &record.provider_id, status.as_str(), now)?;
                self.after_settle(m, status)?;
                settled += 1;
                continue;
            }
            // Not there (yet): "not there" only counts once the provider has had time to
            // list it, measured on the computer's real clock from when the question arose.
            let now_ms = real_now_ms();
            let asked_since = self.store.note_unknown_since(m.id, now_ms)?;
            let waited = StdDuration::from_millis(now_ms.saturating_sub(asked_since).max(0) as u64);
            if waited < lag {
                continue;
            }
            if claimed.unknown_since_ms.is_some() && claimed.attempts > 0 {
                // A send without a clear answer, now known not to have arrived.
                let reason = m.reason.as_deref().unwrap_or_default();
                let reason = reason.trim_start_matches("checking with the provider: ");
                if claimed.attempts >= MAX_ATTEMPTS {
                    self.store.finish_failed(
                        m.id,
                        "sending",
                        "failed",
                        None,
                        &format!("gave up after {} attempts: {reason}", claimed.attempts),
                        now,
                    )?;
                } else {
                    let wait = backoff(claimed.attempts, fastrand::f64());
                    self.store.release_unknown(
                        m.id,
                        now + wait,
                        &format!(
                            "will retry: the provider has no record of the last attempt ({reason})"
                        ),
                        now,
                    )?;
                }
            } else {
                self.store.release_claim(m.id, now)?;
            }
            // Back to waiting (or failed): if its appointment moved meanwhile, the new time is
            // planned now rather than when this one next comes due.
            self.replan_if_moved(m)?;
        }
        if settled > 0 {
            self.publish(WriteSource::Background, vec![Change::Messages]);
        }
        Ok(settled)
    }

    /// Whether any text is waiting for the provider's records to say whether it went.
    pub(crate) fn has_unsettled(&self) -> bool {
        self.store.unsettled_count().is_ok_and(|n| n > 0)
    }

    /// What a provider failure does to the message and to sending (DESIGN's providers).
    pub(crate) async fn after_failure(
        &self,
        m: &MessageRow,
        err: ProviderError,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure, EngineError> {
        match err {
            ProviderError::Transient {
                reason,
                retry_after,
            } => self.retry_or_fail(m, &reason, retry_after, now),
            ProviderError::Ambiguous(reason) => {
                // The text may have gone: it stays claimed, one attempt used, until the
                // provider's own records say (the next passes' reconcile).
                self.store.mark_outcome_unknown(
                    m.id,
                    &format!("checking with the provider: {reason}"),
                    real_now_ms(),
                    now,
                )?;
                Ok(AfterFailure::Continue)
            }
            ProviderError::Storage(reason) | ProviderError::NotFound(reason) => {
                self.retry_or_fail(m, &reason, None, now)
            }
            ProviderError::CredentialsRejected | ProviderError::Unavailable(_) => {
                // No attempt burned: the text waits, unchanged, until sending resumes.
                self.store.release_claim(m.id, now)?;
                self.pause_sending(&err.to_string())?;
                Ok(AfterFailure::Stop)
            }
            ProviderError::RecipientOptedOut => {
                self.store.finish_failed(
                    m.id,
                    "sending",
                    "failed",
                    Some("21610"),
                    describe_error_code("21610"),
                    now,
                )?;
                if let Some(client_id) = m.client_id {
                    self.carrier_opt_out(client_id, m.id)?;
                }
                Ok(AfterFailure::Continue)
            }
            ProviderError::InvalidNumber(detail) => {
                self.store
                    .finish_failed(m.id, "sending", "failed", None, &detail, now)?;
                if let Some(client_id) = m.client_id {
                    self.store.mark_unreachable(client_id, &detail, now)?;
                    self.store.cancel_live_for_client(
                        client_id,
                        SuppressReason::InvalidNumber.as_str(),
                        now,
                    )?;
                    self.publish(
                        WriteSource::Background,
                        vec![Change::Client { id: client_id }],
                    );
                }
                Ok(AfterFailure::Continue)
            }
            ProviderError::Permanent { code, message } => {
                let reason = if code.chars().all(|c| c.is_ascii_digit()) {
                    format!("{} ({message})", describe_error_code(&code))
                } else {
                    message
                };
                self.store
                    .finish_failed(m.id, "sending", "failed", Some(&code), &reason, now)?;
                Ok(AfterFailure::Continue)
            }
        }
    }

    fn retry_or_fail(
        &self,
        m: &MessageRow,
        reason: &str,
        retry_after: Option<StdDuration>,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure, EngineError> {
        let used = self.store.attempts(m.id)? + 1;
        if used >= MAX_ATTEMPTS {
            self.store.finish_failed(
                m.id,
                "sending",
                "failed",
                None,
                &format!("gave up after {used} attempts: {reason}"),
                now,
            )?;
        } else {
            let wait = retry_after
                .and_then(|d| Duration::from_std(d).ok())
                .unwrap_or_else(|| backoff(used, fastrand::f64()));
            self.store
                .schedule_retry(m.id, now + wait, &format!("will retry: {reason}"), now)?;
        }
        Ok(AfterFailure::Continue)
    }

    /// The carrier reports the customer opted out (Twilio 21610): recorded as a revocation
    /// with channel "provider report", and nothing more goes to them.
    fn carrier_opt_out(&self, client_id: i64, message_id: i64) -> Result<(), EngineError> {
        let now = self.now();
        let settings = self.settings()?;
        let Some(client) = self.store.client(client_id)? else {
            return Ok(());
        };
        for disclosure in self.store.current_disclosures()? {
            if client.consent.get(disclosure.purpose) == ConsentState::Revoked {
                continue;
            }
            self.store.append_consent(&NewConsentEvent {
                client_id,
                purpose: disclosure.purpose,
                action: ConsentAction::Revoked,
                channel: ConsentChannel::ProviderReport,
                disclosure: &disclosure,
                business_name: &settings.business_name,
                recorded_by: "engine",
                occurred_at: now,
                recorded_at: now,
                evidence: Some(
                    "The carrier refused a text: the recipient has opted out (Twilio 21610)",
                ),
                message_id: Some(message_id),
            })?;
        }
        self.store
            .cancel_live_for_client(client_id, SuppressReason::OptedOut.as_str(), now)?;
        self.publish(
            WriteSource::Background,
            vec![Change::Client { id: client_id }],
        );
        Ok(())
    }

    /// Whether any sent text is still waiting for its delivery report.
    pub(crate) fn awaiting_delivery(&self) -> Result<bool, EngineError> {
        let since = self.now() - Duration::hours(DELIVERY_WINDOW_HOURS);
        Ok(!self
            .store
            .awaiting_delivery(since, self.now(), 1)?
            .is_empty())
    }

    /// Asks the provider about sent texts until each is delivered, undelivered or failed (or
    /// 72 hours pass). Returns how many changed.
    pub(crate) async fn poll_delivery(&self) -> Result<u32, EngineError> {
        let now = self.now();
        let since = now - Duration::hours(DELIVERY_WINDOW_HOURS);
        let mut changed = self.store.expire_delivery(since, now)? as u32;
        let provider = self.provider();
        for m in self.store.awaiting_delivery(since, now, 50)? {
            let Some(provider_id) = m.provider_id.as_deref() else {
                continue;
            };
            let report = match provider.fetch_status(provider_id).await {
                Ok(report) => report,
                Err(ProviderError::CredentialsRejected | ProviderError::Unavailable(_)) => break,
                Err(err) => {
                    tracing::debug!(message = m.id, "no delivery report yet: {err}");
                    continue;
                }
            };
            let status = message_status(report.status);
            // A carrier's code in words (Twilio), or the provider's own words (the gateway
            // phone's per-recipient error).
            let reason = match (
                report.error_code.as_deref(),
                report.error_message.as_deref(),
            ) {
                (Some(code), _) => Some(format!(
                    "{} (carrier error {code})",
                    describe_error_code(code)
                )),
                (None, Some(words)) => Some(words.to_owned()),
                (None, None) => None,
            };
            if self.store.record_delivery(
                m.id,
                status.as_str(),
                report.error_code.as_deref(),
                reason.as_deref(),
                now,
            )? && status != MessageStatus::Sent
            {
                self.replan_if_moved(&m)?;
                changed += 1;
            }
        }
        if changed > 0 {
            self.publish(WriteSource::Background, vec![Change::Messages]);
        }
        Ok(changed)
    }

    /// Whether reminders are handed to the provider ahead of time: Twilio with a Messaging
    /// Service (DESIGN invariant 6).
    pub(crate) fn hands_off(&self) -> bool {
        self.provider().kind() == ProviderKind::Twilio
            && self
                .settings()
                .ok()
                .and_then(|s| s.twilio)
                .is_some_and(|t| t.messaging_service_sid.is_some())
    }

    /// Hands reminders due 15 minutes to 7 days from now to the provider, each through the
    /// gate as of its own send time, so they go out even when this computer is off.
    pub(crate) async fn hand_off_ahead(
        &self,
        now: DateTime<Utc>,
        report: &mut crate::TickReport,
    ) -> Result<(), EngineError> {
        let from = now + Duration::minutes(HAND_OFF_MIN_MINUTES);
        let to = now + Duration::days(HAND_OFF_MAX_DAYS);
        for m in self.store.plannable_ahead(from, to, 200)? {
            let Some(at) = m.send_at else { continue };
            if let AfterFailure::Stop = self.process_as(m.id, now, Some(at), false, report).await? {
                break;
            }
        }
        Ok(())
    }

    /// Makes the provider-side cancels that changes queued (a reschedule, a cancellation, an
    /// opt-out). A text the provider already sent is recorded as sent.
    pub(crate) async fn process_cancellations(&self) -> Result<AfterFailure, EngineError> {
        let _lease = self.sender.acquire(crate::lease::LEASE_WAIT).await?;
        let provider = self.provider();
        for pending in self.store.pending_cancellations(100)? {
            let now = self.now();
            match provider.cancel_scheduled(&pending.provider_id).await {
                Ok(()) => self
                    .store
                    .record_cancellation(pending.id, true, "cancelled", now)?,
                Err(ProviderError::Permanent { .. }) => {
                    // Too late: it has gone out. The record must say what really happened.
                    let status = provider.fetch_status(&pending.provider_id).await;
                    if matches!(&status, Ok(r) if r.status == ProviderStatus::Canceled) {
                        self.store
                            .record_cancellation(pending.id, true, "cancelled", now)?;
                    } else {
                        self.store.mark_sent_anyway(pending.message_id, now)?;
                        self.store
                            .record_cancellation(pending.id, true, "already_sent", now)?;
                        self.publish(WriteSource::Background, vec![Change::Messages]);
                    }
                }
                Err(ProviderError::NotFound(_)) => self.store.record_cancellation(
                    pending.id,
                    true,
                    "unknown at the provider",
                    now,
                )?,
                Err(err @ (ProviderError::CredentialsRejected | ProviderError::Unavailable(_))) => {
                    self.pause_sending(&err.to_string())?;
                    return Ok(AfterFailure::Stop);
                }
                Err(err) => {
                    // Tried again next pass; nothing new is handed off meanwhile.
                    tracing::warn!("a scheduled text could not be cancelled yet: {err}");
                    self.store
                        .record_cancellation(pending.id, false, &err.to_string(), now)?;
                    return Ok(AfterFailure::Stop);
                }
            }
        }
        Ok(AfterFailure::Continue)
    }
}

/// The computer's real clock in Unix milliseconds. The provider's records lag in real time,
/// whatever the engine's clock says (a pinned `--now`, a test clock).
fn real_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        assert_eq!(backoff(1, 0.5), Duration::seconds(30));
        assert_eq!(backoff(2, 0.5), Duration::seconds(60));
        assert_eq!(backoff(1, 0.0), Duration::seconds(15));
        assert_eq!(backoff(1, 1.0), Duration::seconds(45));
        assert_eq!(backoff(20, 0.5), Duration::seconds(1800));
    }
}
