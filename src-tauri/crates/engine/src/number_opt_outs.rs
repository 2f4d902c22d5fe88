//! A STOP texted from a number before any client had it: carried to the client who gets the
//! number, with that text as the evidence.

use tidings_domain::{Change, ConsentAction, ConsentChannel, ConsentState, WriteSource};
use tidings_store::NewConsentEvent;

use crate::{Engine, EngineError};

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
