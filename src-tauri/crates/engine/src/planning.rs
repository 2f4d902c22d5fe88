//! Re-planning reminders from appointments and rules, and reviving reminders kept back.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use tidings_domain::planner::{plan_reminders, AllowedHours, Planned, RuleTiming, SuppressReason};
use tidings_domain::{
    Appointment, AppointmentStatus, Change, Purpose, QuietHours, Settings, WriteSource,
};
use tidings_store::{MessageRow, NewPlannedMessage, RuleRow};

use crate::reminders::MessageStatus;
use crate::{Engine, EngineError};

impl Engine {
    pub(crate) fn allowed_hours(settings: &Settings, client_zone: Option<&str>) -> AllowedHours {
        let zone = client_zone
            .and_then(|z| z.parse().ok())
            .or_else(|| settings.timezone.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        AllowedHours {
            quiet: if QuietHours::new(&settings.quiet_hours.start, &settings.quiet_hours.end)
                .is_ok()
            {
                settings.quiet_hours.clone()
            } else {
                QuietHours::default()
            },
            no_sundays: settings.no_sundays,
            zone,
        }
    }

    /// Plans (or re-plans) the reminders of one appointment: keeps what still fits, cancels
    /// what no longer does, and records why a reminder can't go.
    pub fn replan(&self, appointment_id: i64) -> Result<(), EngineError> {
        let settings = self.settings()?;
        let rules: Vec<RuleRow> = self
            .store
            .rules()?
            .into_iter()
            .filter(|r| r.enabled)
            .collect();
        let plan = self.replan_with(appointment_id, &settings, &rules)?;
        self.store
            .apply_plan(&plan.cancel, &plan.retime, &plan.add, self.now())?;
        Ok(())
    }

    /// What re-planning one appointment changes. Nothing is written here.
    fn replan_with(
        &self,
        appointment_id: i64,
        settings: &Settings,
        rules: &[RuleRow],
    ) -> Result<Replan, EngineError> {
        let Some(appointment) = self.store.appointment(appointment_id)? else {
            return Ok(Replan::default());
        };
        let messages = self.store.appointment_messages(appointment_id)?;
        let client = self.store.client(appointment.client_id)?;
        Ok(plan_appointment(
            &appointment,
            &messages,
            client.as_ref().and_then(|c| c.timezone.as_deref()),
            settings,
            rules,
            self.now(),
        ))
    }
    /// Re-plans every upcoming appointment (after a rule, preset or policy change).
    pub fn replan_all(&self) -> Result<(), EngineError> {
        let settings = self.settings()?;
        let rules: Vec<RuleRow> = self
            .store
            .rules()?
            .into_iter()
            .filter(|r| r.enabled)
            .collect();
        let mut all = Replan::default();
        // Three reads for the lot, not three per appointment.
        let now = self.now();
        let from = now - Duration::days(1);
        let zones = self.store.client_timezones()?;
        let mut messages = self.store.upcoming_appointment_messages(from)?;
        for appointment in self.store.upcoming_appointments(from)? {
            let mine = messages.remove(&appointment.id).unwrap_or_default();
            let plan = plan_appointment(
                &appointment,
                &mine,
                zones.get(&appointment.client_id).map(String::as_str),
                &settings,
                &rules,
                now,
            );
            all.cancel.extend(plan.cancel);
            all.retime.extend(plan.retime);
            all.add.extend(plan.add);
        }
        // One transaction for the lot: all of the new plan, or none of it.
        self.store
            .apply_plan(&all.cancel, &all.retime, &all.add, self.now())?;
        self.publish(WriteSource::Background, vec![Change::Messages]);
        Ok(())
    }

    /// Re-plans one client's appointments (after a consent, number or time-zone change).
    /// Reminders that were kept from going only because the customer could not be texted (no
    /// consent, an opt-out, a number that could not take texts) come back first, when that no
    /// longer holds and their appointment is still ahead: planning then gives each its time,
    /// and the gate decides again when it is due.
    pub fn replan_client(&self, client_id: i64) -> Result<(), EngineError> {
        self.revive_refused(client_id)?;
        for id in self
            .store
            .client_upcoming_appointment_ids(client_id, self.now())?
        {
            self.replan(id)?;
        }
        Ok(())
    }

    fn revive_refused(&self, client_id: i64) -> Result<(), EngineError> {
        let Some(client) = self.store.client(client_id)? else {
            return Ok(());
        };
        let now = self.now();
        let reasons = [
            SuppressReason::NoConsent,
            SuppressReason::OptedOut,
            SuppressReason::InvalidNumber,
        ]
        .map(SuppressReason::as_str);
        for m in self
            .store
            .refused_reminders(Some(client_id), &reasons, now)?
        {
            let refused = tidings_domain::gate::recipient_refusal(Some(&client), m.purpose, true);
            if refused.is_none() {
                let due = m.send_at.map_or(now, |at| at.max(now));
                if self.store.revive_message(m.id, &client.phone, due, now)? {
                    tracing::info!(
                        message = m.id,
                        client = client_id,
                        "kept-back reminder planned again"
                    );
                }
            }
        }
        Ok(())
    }

    /// Reminders kept back because the business had no phone for them to give go again once it
    /// has one (each still passes the gate when it is sent).
    /// True when any was.
    pub(crate) fn revive_for_business_phone(&self) -> Result<bool, EngineError> {
        let now = self.now();
        let mut revived = false;
        let reasons = [SuppressReason::NoBusinessPhone.as_str()];
        for m in self.store.refused_reminders(None, &reasons, now)? {
            let Some(client) = m
                .client_id
                .map(|id| self.store.client(id))
                .transpose()?
                .flatten()
            else {
                continue;
            };
            if tidings_domain::gate::recipient_refusal(Some(&client), m.purpose, true).is_some() {
                continue;
            }
            let due = m.send_at.map_or(now, |at| at.max(now));
            if self.store.revive_message(m.id, &client.phone, due, now)? {
                revived = true;
                tracing::info!(
                    message = m.id,
                    "reminder kept back for the business phone planned again"
                );
            }
        }
        Ok(revived)
    }
    /// Plans a reminder's appointment again if it moved while the reminder was on its way (the
    /// planner leaves a rule alone while its reminder is in flight).
    pub(crate) fn replan_if_moved(&self, m: &MessageRow) -> Result<(), EngineError> {
        let (Some(appointment_id), Some(_)) = (m.appointment_id, m.rule_id) else {
            return Ok(());
        };
        match self.store.appointment(appointment_id)? {
            Some(a) if Some(a.starts_at) != m.planned_for => self.replan(appointment_id),
            _ => Ok(()),
        }
    }
}

/// A text that has not gone yet and can still be changed or taken back: planned, waiting to
/// retry, or waiting at the provider until its time comes.
fn still_waiting(m: &MessageRow, now: DateTime<Utc>) -> bool {
    match m.status {
        MessageStatus::Planned | MessageStatus::RetryWait => true,
        MessageStatus::ScheduledAtProvider => m.send_at.is_some_and(|t| t > now),
        _ => false,
    }
}

/// What re-planning one appointment changes: the live texts to cancel (with why) and the
/// texts to add, from the appointment, all of its messages and the client's own zone. Pure, so
/// one appointment and a hundred thousand are planned the same way.
fn plan_appointment(
    appointment: &Appointment,
    messages: &[MessageRow],
    client_zone: Option<&str>,
    settings: &Settings,
    rules: &[RuleRow],
    now: DateTime<Utc>,
) -> Replan {
    // Texts planned for someone the appointment no longer belongs to (it was given to another
    // client, or the client's number changed) are not this plan's: waiting ones are taken
    // back, and what was decided for them decides nothing for the new recipient.
    let for_recipient = |m: &&MessageRow| {
        m.client_id == Some(appointment.client_id) && m.to == appointment.client_phone
    };
    let all_messages = messages;
    let messages: Vec<&MessageRow> = all_messages.iter().filter(for_recipient).collect();
    let stale: Vec<(i64, &'static str)> = all_messages
        .iter()
        .filter(|m| !for_recipient(m) && !m.follow_up && still_waiting(m, now))
        .map(|m| (m.id, SuppressReason::NumberChanged.as_str()))
        .collect();
    let live: Vec<&MessageRow> = messages
        .iter()
        .copied()
        .filter(|m| !m.follow_up && still_waiting(m, now))
        .collect();
    let mut cancel: Vec<(i64, &'static str)> = stale;
    let mut retime = Vec::new();
    let mut add = Vec::new();
    if !appointment.status.is_live() || appointment.starts_at <= now {
        let reason = if appointment.status == AppointmentStatus::Cancelled {
            SuppressReason::AppointmentCancelled.as_str()
        } else {
            "appointment_over"
        };
        cancel.extend(live.iter().map(|m| (m.id, reason)));
        return Replan {
            cancel,
            retime,
            add,
        };
    }
    let hours = Engine::allowed_hours(settings, client_zone);
    let timings: Vec<RuleTiming> = rules
        .iter()
        .map(|r| RuleTiming {
            rule_id: r.id,
            offset_minutes: r.offset_minutes,
            min_lead_minutes: r.min_lead_minutes,
        })
        .collect();
    let by_rule: HashMap<i64, &MessageRow> = live
        .iter()
        .filter_map(|m| m.rule_id.map(|r| (r, *m)))
        .collect();
    for m in &live {
        if m.rule_id
            .is_some_and(|r| !rules.iter().any(|rule| rule.id == r))
        {
            cancel.push((m.id, SuppressReason::RuleDisabled.as_str()));
        }
    }
    for plan in plan_reminders(appointment.starts_at, &timings, &hours, now) {
        let rule_id = match plan {
            Planned::Send { rule_id, .. } | Planned::Suppress { rule_id, .. } => rule_id,
        };
        // A reminder that asks to confirm has nothing to ask once the customer confirmed: taken
        // back (at the provider too, if handed off) and shown as not needed.
        let plan = if appointment.status == AppointmentStatus::Confirmed
            && rules.iter().any(|r| r.id == rule_id && r.asks_confirmation)
        {
            Planned::Suppress {
                rule_id,
                reason: SuppressReason::AlreadyConfirmed,
            }
        } else {
            plan
        };
        let current = by_rule.get(&rule_id);
        // A reminder of this rule on its way to the provider (claimed, or handed off and due)
        // is the one live reminder the rule may have: the new time is planned once it settles
        // (`replan_if_moved`).
        // (Whoever it is addressed to: one live text per rule and appointment.)
        let in_flight = all_messages.iter().any(|m| {
            m.rule_id == Some(rule_id)
                && (m.status == MessageStatus::Sending
                    || (m.status == MessageStatus::ScheduledAtProvider
                        && !live.iter().any(|l| l.id == m.id)))
        });
        // Something already decided for this start (sent, skipped, suppressed) stands.
        let decided = messages.iter().any(|m| {
            m.rule_id == Some(rule_id)
                && m.planned_for == Some(appointment.starts_at)
                && !matches!(
                    m.status,
                    MessageStatus::Planned | MessageStatus::RetryWait | MessageStatus::Cancelled
                )
                && !live.iter().any(|l| l.id == m.id)
        });
        match plan {
            Planned::Send { send_at, .. } => {
                if decided {
                    // Already sent for this time: a waiting copy (a restore can leave one) never
                    // goes.
                    let went = messages.iter().any(|m| {
                        m.rule_id == Some(rule_id)
                            && m.planned_for == Some(appointment.starts_at)
                            && (m.provider_id.is_some()
                                || matches!(
                                    m.status,
                                    MessageStatus::Sent
                                        | MessageStatus::Delivered
                                        | MessageStatus::Undelivered
                                ))
                    });
                    if let (true, Some(m)) = (went, current) {
                        cancel.push((m.id, SuppressReason::Superseded.as_str()));
                    }
                    continue;
                }
                if let Some(m) = current {
                    if m.send_at == Some(send_at) && m.planned_for == Some(appointment.starts_at) {
                        continue;
                    }
                    // The same reminder at a new time (the rule's timing or the quiet hours
                    // changed): still waiting here, so its time is changed in place.
                    if m.planned_for == Some(appointment.starts_at)
                        && m.status == MessageStatus::Planned
                    {
                        retime.push((m.id, send_at));
                        continue;
                    }
                    let reason = if m.planned_for != Some(appointment.starts_at) {
                        SuppressReason::AppointmentMoved
                    } else {
                        SuppressReason::QuietHoursMissed
                    };
                    cancel.push((m.id, reason.as_str()));
                }
                if in_flight {
                    continue;
                }
                add.push(NewPlannedMessage {
                    client_id: appointment.client_id,
                    appointment_id: appointment.id,
                    rule_id,
                    purpose: Purpose::Service,
                    to: appointment.client_phone.clone(),
                    planned_for: appointment.starts_at,
                    send_at: Some(send_at),
                    reason: None,
                });
            }
            Planned::Suppress { reason, .. } => {
                if let Some(m) = current {
                    cancel.push((m.id, reason.as_str()));
                }
                if decided
                    || messages.iter().any(|m| {
                        m.rule_id == Some(rule_id)
                            && m.planned_for == Some(appointment.starts_at)
                            && m.status == MessageStatus::Suppressed
                    })
                {
                    continue;
                }
                add.push(NewPlannedMessage {
                    client_id: appointment.client_id,
                    appointment_id: appointment.id,
                    rule_id,
                    purpose: Purpose::Service,
                    to: appointment.client_phone.clone(),
                    planned_for: appointment.starts_at,
                    send_at: None,
                    reason: Some(reason.as_str().to_owned()),
                });
            }
        }
    }
    Replan {
        cancel,
        retime,
        add,
    }
}

/// What re-planning changes: live texts to cancel (with why), waiting texts whose send time
/// moves, and texts to add.
#[derive(Debug, Default)]
struct Replan {
    cancel: Vec<(i64, &'static str)>,
    retime: Vec<(i64, DateTime<Utc>)>,
    add: Vec<NewPlannedMessage>,
}
