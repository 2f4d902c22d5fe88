//! The one way a text leaves Tidings (DESIGN's message lifecycle). Every outbound text —
//! reminder, staff reply, status update, keyword confirmation, holding reply, notice,
//! follow-up, test text — is a row in `messages`, claimed (`sending`) in a committed
//! transaction under the sender lease before the provider is called, and settled from the
//! provider's answer by the same rules: the rate limiter, retries with backoff, "checking with
//! the provider" when the answer was lost, a pause when the credentials are refused.
//!
//! Nothing else calls `Provider::send`; `tests/one_send_path.rs` checks the sources for it.

use chrono::{DateTime, Utc};
use tidings_domain::{segments, ProviderKind, SegmentInfo};
use tidings_sms::{OutboundText, ProviderError};
use tidings_store::{ClaimedBody, MessageRow, NewDirectText, SentMessage};

use crate::dispatch::{message_status, AfterFailure};
use crate::lease::{SenderLease, LEASE_WAIT};
use crate::{Engine, EngineError};

/// A text sent at once, outside any plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirectKind<'a> {
    /// Typed by a person: an answer on a thread (no appointment) or a status update.
    Staff { actor: &'a str },
    /// A test text to the desk's own phone, to no client.
    Test,
}

/// What became of a text handed to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// The provider took it (sent, queued or held for its time).
    Sent,
    /// It did not go; the row says why (waiting to retry, failed). `stop` means sending is
    /// paused and the pass should end.
    NotSent { reason: String, stop: bool },
    /// The provider's answer was lost: the text is checked with its records before any resend.
    Unknown { reason: String },
}

/// A claimed text ready to go.
pub(crate) struct Ready<'a> {
    pub body: &'a str,
    pub version_id: Option<i64>,
    /// The language a template was rendered in.
    pub language: Option<&'static str>,
    pub cost: SegmentInfo,
    /// With a hand-off, the provider holds it until then.
    pub ahead: Option<DateTime<Utc>>,
    /// When it counts as sent (for caps): its own send time for a hand-off, else now.
    pub sent_at: DateTime<Utc>,
}

/// The key under which this database's install is known to a provider that refuses repeated
/// ids (SMSGate): kept once, so two databases never send under the same message ids.
const INSTALL_KEY: &str = "install_id";

impl Engine {
    /// A text's id as a provider sees it: this install's own prefix and the message id (at
    /// most 36 characters). The same text always has the same key, so a resend is recognised.
    pub(crate) fn send_key(&self, message_id: i64) -> Result<String, EngineError> {
        let install = match self.store.kv_get(INSTALL_KEY)?.filter(|k| !k.is_empty()) {
            Some(install) => install,
            None => {
                let fresh = format!("{:016x}", fastrand::u64(..));
                self.store.kv_set(INSTALL_KEY, &fresh, self.now())?;
                fresh
            }
        };
        Ok(format!(
            "td{}-{message_id}",
            &install[..install.len().min(16)]
        ))
    }

    /// Sends a text at once through the outbox: recorded as claimed with its body before the
    /// provider call, settled after. Returns the message's id and what happened.
    pub(crate) async fn send_direct(
        &self,
        client_id: Option<i64>,
        appointment_id: Option<i64>,
        to: &str,
        body: &str,
        kind: DirectKind<'_>,
    ) -> Result<(i64, Delivery), EngineError> {
        let lease = self.sender.acquire(LEASE_WAIT).await?;
        let now = self.now();
        let cost = segments(body);
        let (reason, sent_by) = match kind {
            DirectKind::Staff { actor } => (
                if appointment_id.is_some() {
                    "status_update"
                } else {
                    "staff_reply"
                },
                Some(actor),
            ),
            DirectKind::Test => ("test_text", None),
        };
        let id = self.store.insert_direct_text(&NewDirectText {
            client_id,
            appointment_id,
            to,
            body,
            reason,
            sent_by,
            segments: cost.segments,
            encoding: cost.encoding.as_str(),
            now,
            // Written by a person, in whatever language they wrote it.
            language: None,
        })?;
        let m = self
            .store
            .message(id)?
            .ok_or_else(|| EngineError::NotFound("That text is gone.".into()))?;
        let delivery = self
            .deliver(
                &lease,
                &m,
                Ready {
                    body,
                    version_id: None,
                    language: None,
                    cost,
                    ahead: None,
                    sent_at: now,
                },
                now,
            )
            .await?;
        Ok((id, delivery))
    }

    /// Hands a claimed message to the provider and settles it from the answer. The caller holds
    /// the sender lease from the claim until this returns.
    pub(crate) async fn deliver(
        &self,
        lease: &SenderLease<'_>,
        m: &MessageRow,
        ready: Ready<'_>,
        now: DateTime<Utc>,
    ) -> Result<Delivery, EngineError> {
        let encoding = ready.cost.encoding.as_str();
        // What is about to go is on record before the call, so a crash after it can be matched
        // against the provider's own list.
        self.store.record_claimed_body(
            m.id,
            &ClaimedBody {
                body: ready.body,
                template_version_id: ready.version_id,
                segments: ready.cost.segments,
                encoding,
                language: ready.language,
            },
        )?;
        let provider = self.provider();
        match provider.kind() {
            ProviderKind::Sandbox => {}
            // One SIM: the pace the desk chose for it (a text every few seconds).
            ProviderKind::SmsGate => {
                let seconds = self.settings()?.smsgate.map_or(
                    tidings_domain::provider::DEFAULT_SECONDS_BETWEEN_TEXTS,
                    |g| g.seconds_between_texts,
                );
                lease.pace_every(i64::from(seconds) * 1000).await;
            }
            ProviderKind::Twilio => lease.pace(self.settings()?.send_rate()).await,
        }
        let answer = provider
            .send(&OutboundText {
                to: m.to.clone(),
                body: ready.body.to_owned(),
                send_at: ready.ahead,
                key: Some(self.send_key(m.id)?),
            })
            .await;
        match answer {
            Ok(receipt) => {
                let status = message_status(receipt.status);
                self.store.mark_sent(
                    m.id,
                    &SentMessage {
                        status: status.as_str().into(),
                        provider_id: receipt.provider_id,
                        from: String::new(),
                        body: ready.body.to_owned(),
                        template_version_id: ready.version_id,
                        segments: ready.cost.segments,
                        encoding: encoding.into(),
                        sent_at: ready.sent_at,
                    },
                    now,
                )?;
                self.after_sent(m, ready.body, now)?;
                self.after_settle(m, status)?;
                self.note_sent();
                Ok(Delivery::Sent)
            }
            Err(err) => {
                tracing::warn!(message = m.id, "the provider refused a text: {err}");
                let reason = err.to_string();
                let unknown = matches!(err, ProviderError::Ambiguous(_));
                let after = self.after_failure(m, err, now).await?;
                Ok(if unknown {
                    Delivery::Unknown { reason }
                } else {
                    Delivery::NotSent {
                        reason,
                        stop: matches!(after, AfterFailure::Stop),
                    }
                })
            }
        }
    }

    /// What a sent text changes besides its own row: a text not planned by the scheduler shows
    /// on its thread, and a staff answer answers the customer's waiting texts.
    fn after_sent(
        &self,
        m: &MessageRow,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), EngineError> {
        let planned = m.rule_id.is_some() || m.notice_id.is_some() || m.follow_up;
        if planned || m.reason.as_deref() == Some("test_text") {
            return Ok(());
        }
        let by_staff = m.sent_by.is_some();
        self.store.thread_outbound(&m.to, body, by_staff, now)?;
        if by_staff && m.appointment_id.is_none() {
            self.store.mark_answered(&m.to, now)?;
        }
        Ok(())
    }
}
