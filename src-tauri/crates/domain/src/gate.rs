//! The send gate (DESIGN invariants 1, 2, 4 and 5): whether one text may go now, later, or
//! not at all and why. Pure: the engine loads a [`Snapshot`] of what the decision needs (the
//! client as they are now, the appointment, the rule, the recipient's allowed hours, how many
//! automated texts they had lately) and runs [`decide`] at every attempt, first or retry. Every
//! kind of outbound text is a case of the same gate, so what holds for reminders holds for
//! staff replies, keyword answers, notices, follow-ups and test texts.
//!
//! Being pure, it is also what tells the desk ahead of time what will happen to a text.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AllowedHours, Caps};
use crate::{Appointment, AppointmentStatus, Client, ConsentState, Purpose, SuppressReason};

/// A text due longer ago than this was missed while the app was closed (invariant 5).
pub const LATE_GRACE_MINUTES: i64 = 10;
/// How soon a text held for a possible opt-out is looked at again.
pub const HOLD_RECHECK_MINUTES: i64 = 5;
/// A follow-up kept from quiet hours waits at most this long for an allowed hour.
pub const FOLLOW_UP_WAIT_HOURS: i64 = 24;

/// The rule a reminder was planned by, as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleFacts {
    /// It is useless later than this before the start.
    pub min_lead_minutes: u32,
    /// It asks the customer to answer YES to confirm.
    pub asks_confirmation: bool,
}

/// What the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind<'a> {
    /// Planned by a reminder rule. `rule` is `None` when the rule is gone or turned off;
    /// `planned_for` is the appointment start it was planned for.
    Reminder {
        rule: Option<RuleFacts>,
        planned_for: Option<DateTime<Utc>>,
        purpose: Purpose,
    },
    /// "How did it go?" after a completed visit.
    FollowUp,
    /// A notice about an appointment (running late, closed today); urgent ones ignore quiet
    /// hours.
    Notice { urgent: bool },
    /// Sent at once and waiting to retry: a staff reply or update (`staff_reply`,
    /// `status_update`), a reply template by its key, or `test_text`.
    Direct(&'a str),
}

/// Automated texts the recipient had in the last day and week, against the caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CapUsage {
    pub last_day: u32,
    pub last_week: u32,
}

impl CapUsage {
    pub fn reached(self, caps: &Caps) -> bool {
        self.last_day >= caps.max_texts_per_day || self.last_week >= caps.max_texts_per_week
    }
}

/// Everything the decision reads, as it is at the moment of the decision.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<'a> {
    /// When the text would go (now, or its own time for a hand-off ahead).
    pub now: DateTime<Utc>,
    pub kind: TextKind<'a>,
    /// The number it was planned for.
    pub to: &'a str,
    /// When it was due.
    pub send_at: Option<DateTime<Utc>>,
    /// A person pressed "Send now".
    pub by_staff: bool,
    /// The client as they are now (`None` for a test text or an unknown number).
    pub client: Option<&'a Client>,
    /// The appointment it is about, as it is now (`None` when there is none or it is gone).
    pub appointment: Option<&'a Appointment>,
    /// The customer's "stop texting me" waits for staff to review.
    pub review_pending: bool,
    /// The recipient's allowed hours, in their own zone.
    pub hours: &'a AllowedHours,
    pub caps: &'a Caps,
    pub usage: CapUsage,
}

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Not yet: it may go at this time.
    Later(DateTime<Utc>),
    /// Waits for staff to review a possible opt-out; looked at again at this time.
    Held(DateTime<Utc>),
    /// Never, for this reason.
    Suppress(SuppressReason),
}

impl SuppressReason {
    /// Whether a text stopped for this reason was taken back (the thing it was for changed)
    /// rather than kept from going (the recipient may not be texted now).
    pub fn cancels(self) -> bool {
        matches!(
            self,
            Self::AppointmentCancelled
                | Self::AppointmentMoved
                | Self::RuleDisabled
                | Self::NumberChanged
                | Self::ClientArchived
                | Self::Superseded
        )
    }
}

/// Why a text can't go to this client at all: opted out of the purpose, no consent on record
/// (when the text needs it), or a number the carrier says can't receive texts.
pub fn recipient_refusal(
    client: Option<&Client>,
    purpose: Purpose,
    needs_consent: bool,
) -> Option<SuppressReason> {
    match client.map(|c| c.consent.get(purpose)) {
        Some(ConsentState::Revoked) => return Some(SuppressReason::OptedOut),
        Some(ConsentState::Granted) => {}
        _ if needs_consent => return Some(SuppressReason::NoConsent),
        _ => {}
    }
    client
        .is_some_and(|c| c.unreachable.is_some())
        .then_some(SuppressReason::InvalidNumber)
}

/// The decision for one text (see the module).
pub fn decide(s: &Snapshot<'_>) -> Decision {
    use Decision::{Held, Send, Suppress};
    let direct = matches!(s.kind, TextKind::Direct(_));
    if let Some(client) = s.client {
        // A text planned for a number the client no longer has goes nowhere (invariant 1).
        if client.phone != s.to {
            return Suppress(SuppressReason::NumberChanged);
        }
        // Nothing automated goes to an archived client.
        if client.archived && !direct {
            return Suppress(SuppressReason::ClientArchived);
        }
    }
    // Automated texts wait while the customer's "stop texting me" awaits review.
    if !direct && s.review_pending {
        return Held(s.now + Duration::minutes(HOLD_RECHECK_MINUTES));
    }
    let result = match s.kind {
        TextKind::Direct(kind) => direct_refusal(s.client, kind).map_or(Ok(()), Err),
        TextKind::Notice { urgent } => notice(s, urgent),
        TextKind::FollowUp => follow_up(s),
        TextKind::Reminder {
            rule,
            planned_for,
            purpose,
        } => reminder(s, rule, planned_for, purpose),
    };
    match result {
        Ok(()) => Send,
        Err(Blocked::Never(reason)) => Suppress(reason),
        Err(Blocked::Until(at)) => Decision::Later(at),
    }
}

/// Why a text does not go now.
enum Blocked {
    Never(SuppressReason),
    Until(DateTime<Utc>),
}

impl From<SuppressReason> for Blocked {
    fn from(reason: SuppressReason) -> Self {
        Blocked::Never(reason)
    }
}

/// A text sent at once, waiting to retry: whether it may still go depends on what it is.
fn direct_refusal(client: Option<&Client>, kind: &str) -> Option<Blocked> {
    let reason = match kind {
        // The answer to STOP goes because they opted out; a test text goes to the desk.
        "opt_out_confirmation" | "test_text" => None,
        "staff_reply" | "status_update" => recipient_refusal(client, Purpose::Service, false),
        // Every other reply template: nothing to a customer who has opted out since.
        _ => client
            .filter(|c| c.consent.service == ConsentState::Revoked)
            .map(|_| SuppressReason::OptedOut),
    };
    reason.map(Blocked::Never)
}

/// Outside allowed hours: later, at the next allowed moment, if that is before `until`.
fn wait_for_hours(s: &Snapshot<'_>, until: impl Fn(DateTime<Utc>) -> bool) -> Result<(), Blocked> {
    if s.hours.allows(s.now) {
        return Ok(());
    }
    Err(match s.hours.next_allowed(s.now).filter(|t| until(*t)) {
        Some(at) => Blocked::Until(at),
        None => Blocked::Never(SuppressReason::QuietHoursMissed),
    })
}

/// A notice: consent, a reachable number, the appointment still on, and quiet hours unless it
/// was sent as urgent.
fn notice(s: &Snapshot<'_>, urgent: bool) -> Result<(), Blocked> {
    if let Some(reason) = recipient_refusal(s.client, Purpose::Service, true) {
        return Err(reason.into());
    }
    let Some(appointment) = s.appointment.filter(|a| a.status.is_live()) else {
        return Err(SuppressReason::AppointmentCancelled.into());
    };
    if urgent {
        return Ok(());
    }
    wait_for_hours(s, |t| t < appointment.ends_at)
}

/// A follow-up: only for a visit still marked completed, with consent, a reachable number,
/// inside allowed hours (held up to a day), within caps.
fn follow_up(s: &Snapshot<'_>) -> Result<(), Blocked> {
    if !s
        .appointment
        .is_some_and(|a| a.status == AppointmentStatus::Completed)
    {
        return Err(SuppressReason::AppointmentCancelled.into());
    }
    if let Some(reason) = recipient_refusal(s.client, Purpose::Service, true) {
        return Err(reason.into());
    }
    let latest = s.send_at.unwrap_or(s.now) + Duration::hours(FOLLOW_UP_WAIT_HOURS);
    wait_for_hours(s, |t| t <= latest)?;
    if s.usage.reached(s.caps) {
        return Err(SuppressReason::Cap.into());
    }
    Ok(())
}

/// A reminder: the appointment still on and at the time it was planned for, the rule still
/// on, not missed while the app was closed, consent, allowed hours before the latest useful
/// moment, not already confirmed when it asks for a confirmation, within caps.
fn reminder(
    s: &Snapshot<'_>,
    rule: Option<RuleFacts>,
    planned_for: Option<DateTime<Utc>>,
    purpose: Purpose,
) -> Result<(), Blocked> {
    if s.client.is_none() {
        return Err(SuppressReason::RuleDisabled.into());
    }
    let Some(appointment) = s.appointment.filter(|a| a.status.is_live()) else {
        return Err(SuppressReason::AppointmentCancelled.into());
    };
    if appointment.starts_at <= s.now {
        return Err(SuppressReason::MissedWhileClosed.into());
    }
    if planned_for != Some(appointment.starts_at) {
        return Err(SuppressReason::AppointmentMoved.into());
    }
    let Some(rule) = rule else {
        return Err(SuppressReason::RuleDisabled.into());
    };
    let latest = appointment.starts_at - Duration::minutes(i64::from(rule.min_lead_minutes));
    // Late policy (invariant 5): due long ago means the app was closed at the send time.
    let late = s
        .send_at
        .is_some_and(|t| s.now - t > Duration::minutes(LATE_GRACE_MINUTES));
    if late && !s.by_staff && (s.now > latest || !s.hours.allows(s.now)) {
        return Err(SuppressReason::MissedWhileClosed.into());
    }
    if let Some(reason) = recipient_refusal(s.client, purpose, true) {
        return Err(reason.into());
    }
    wait_for_hours(s, |t| t <= latest)?;
    if rule.asks_confirmation && appointment.status == AppointmentStatus::Confirmed {
        return Err(SuppressReason::AlreadyConfirmed.into());
    }
    if s.usage.reached(s.caps) {
        return Err(SuppressReason::Cap.into());
    }
    Ok(())
}

/// What will happen to a text still waiting to go, as things stand now: the gate's decision
/// for its own send time, told to the desk wherever the text appears (DESIGN: the desk sees
/// what will happen). It changes when what the decision read changes (consent recorded, a
/// number fixed, a hold lifted), so it is computed on every read, never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outlook {
    /// It goes at its time.
    Goes,
    /// Not at its time (outside the recipient's allowed hours): it goes at `at` instead.
    Moved { at: DateTime<Utc> },
    /// It waits for staff to review a possible opt-out in the inbox.
    Held,
    /// It will not go unless something changes; `text` says why in words.
    WontGo {
        reason: SuppressReason,
        text: String,
    },
}

/// The outlook from the gate's decision taken at the text's own send time (`due`).
pub fn outlook(decision: Decision, due: DateTime<Utc>) -> Outlook {
    match decision {
        Decision::Send => Outlook::Goes,
        // A minute's slack: "later" by less is the same moment to a person.
        Decision::Later(at) if at > due + Duration::minutes(1) => Outlook::Moved { at },
        Decision::Later(_) => Outlook::Goes,
        Decision::Held(_) => Outlook::Held,
        Decision::Suppress(reason) => Outlook::WontGo {
            reason,
            text: reason.describe().to_owned(),
        },
    }
}

#[cfg(test)]
mod tests;
