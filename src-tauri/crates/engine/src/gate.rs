//! The send-time gate: judging a text on current data, and what the gate decides.

use chrono::{DateTime, Duration, Utc};
use tidings_domain::gate::{decide, CapUsage, Decision, RuleFacts, Snapshot, TextKind};
use tidings_domain::language::Language;
use tidings_domain::planner::SuppressReason;
use tidings_domain::{segments, Appointment, Change, SegmentInfo, Settings, WriteSource};
use tidings_store::{MessageRow, RuleRow};

use crate::reminders::MessageStatus;
use crate::render::rendered;
use crate::{Engine, EngineError};

impl Engine {
    /// Loads what the gate needs, as it is now, and runs it (`tidings_domain::gate`); a text
    /// that may go is rendered. `Ok(Err(reason))` means: do not send.
    pub(crate) fn gate(
        &self,
        m: &MessageRow,
        settings: &Settings,
        now: DateTime<Utc>,
        by_staff: bool,
    ) -> Result<Result<Gate, SuppressReason>, EngineError> {
        let judged = self.judge(m, settings, now, by_staff)?;
        Ok(match judged.decision {
            Decision::Suppress(reason) => Err(reason),
            Decision::Later(at) => Ok(Gate::Later(at)),
            Decision::Held(at) => Ok(Gate::Held(at)),
            Decision::Send => {
                // What goes: a template filled in now for planned texts, the text as written
                // for the rest.
                let template = if m.follow_up {
                    self.store.template_by_key("follow_up_ask")?
                } else {
                    match &judged.rule {
                        Some(rule) => self.store.template(rule.template_id)?,
                        None => {
                            return Ok(Ok(Gate::Send {
                                body: m.body.clone(),
                                version_id: None,
                                language: None,
                                cost: segments(&m.body),
                            }))
                        }
                    }
                };
                match (template, &judged.appointment) {
                    (Some(template), Some(appointment)) => rendered(
                        &template,
                        settings,
                        appointment,
                        judged.zone,
                        judged.language,
                    ),
                    _ => Err(SuppressReason::RuleDisabled),
                }
            }
        })
    }

    /// The gate's decision for a message, on current data, and what rendering it needs.
    fn judge(
        &self,
        m: &MessageRow,
        settings: &Settings,
        now: DateTime<Utc>,
        by_staff: bool,
    ) -> Result<Judged, EngineError> {
        let client = match m.client_id {
            Some(id) => self.store.client(id)?,
            None => None,
        };
        let appointment = match m.appointment_id {
            Some(id) => self.store.appointment(id)?,
            None => None,
        };
        // Only a reminder has a rule (the one that planned it, if still on).
        let rule = match (m.rule_id, &m.direct_kind, m.notice_id, m.follow_up) {
            (Some(id), None, None, false) => self
                .store
                .rules()?
                .into_iter()
                .find(|r| r.id == id && r.enabled),
            _ => None,
        };
        let kind = if let Some(kind) = m.direct_kind.as_deref() {
            TextKind::Direct(kind)
        } else if let Some(notice_id) = m.notice_id {
            TextKind::Notice {
                urgent: self.store.notice_urgent(notice_id)?,
            }
        } else if m.follow_up {
            TextKind::FollowUp
        } else {
            TextKind::Reminder {
                rule: rule.as_ref().map(|r| RuleFacts {
                    min_lead_minutes: r.min_lead_minutes,
                    asks_confirmation: r.asks_confirmation,
                }),
                planned_for: m.planned_for,
                purpose: m.purpose,
            }
        };
        let counts_for_caps = matches!(kind, TextKind::Reminder { .. } | TextKind::FollowUp);
        let usage = match m.client_id {
            Some(id) if counts_for_caps => {
                let (last_day, last_week) = self.store.automated_sent_counts(
                    id,
                    now - Duration::hours(24),
                    now - Duration::days(7),
                )?;
                CapUsage {
                    last_day,
                    last_week,
                }
            }
            _ => CapUsage::default(),
        };
        let review_pending = m.direct_kind.is_none() && self.store.opt_out_review_pending(&m.to)?;
        let hours = Self::allowed_hours(
            settings,
            client.as_ref().and_then(|c| c.timezone.as_deref()),
        );
        let decision = decide(&Snapshot {
            now,
            kind,
            to: &m.to,
            send_at: m.send_at,
            by_staff,
            client: client.as_ref(),
            appointment: appointment.as_ref(),
            review_pending,
            hours: &hours,
            caps: &settings.caps,
            usage,
        });
        // The client's own language, else the business's.
        let language = client.as_ref().map_or_else(
            || settings.language(),
            |c| crate::inbound::client_language(c, settings),
        );
        Ok(Judged {
            decision,
            rule,
            appointment,
            zone: hours.zone,
            language,
        })
    }

    /// What changed while a text was on its way to the provider, applied once it settled as
    /// `status`: a text handed off for later whose gate now says no (the appointment cancelled
    /// or moved, a STOP, a YES that answers it, a new number) is taken back, at the provider
    /// too; and a moved appointment is planned again.
    pub(crate) fn after_settle(
        &self,
        m: &MessageRow,
        status: MessageStatus,
    ) -> Result<(), EngineError> {
        if status == MessageStatus::ScheduledAtProvider {
            let settings = self.settings()?;
            let judged_at = m.send_at.unwrap_or_else(|| self.now());
            // Caps count this text itself now; they were judged before it went.
            match self.judge(m, &settings, judged_at, false)?.decision {
                Decision::Suppress(reason) if reason != SuppressReason::Cap => {
                    let to = if reason.cancels() {
                        MessageStatus::Cancelled
                    } else {
                        MessageStatus::Suppressed
                    };
                    self.store.transition(
                        m.id,
                        MessageStatus::ScheduledAtProvider,
                        to,
                        Some(reason.as_str()),
                        None,
                        self.now(),
                    )?;
                    self.publish(WriteSource::Background, vec![Change::Messages]);
                }
                _ => {}
            }
        }
        self.replan_if_moved(m)
    }
}

/// The gate's decision, with what rendering a text that may go needs.
struct Judged {
    decision: Decision,
    /// The reminder's rule, when it is a reminder and the rule is on.
    rule: Option<RuleRow>,
    appointment: Option<Appointment>,
    /// The recipient's zone (a time in a text is the appointment's own, else this).
    zone: chrono_tz::Tz,
    /// The language the text is written in (the client's, else the business's).
    language: &'static Language,
}

pub(crate) enum Gate {
    Send {
        body: String,
        version_id: Option<i64>,
        /// The language a template was rendered in (`None` for a text as written).
        language: Option<&'static str>,
        cost: SegmentInfo,
    },
    Later(DateTime<Utc>),
    /// Waits for staff to review a possible opt-out; looks again at the time given.
    Held(DateTime<Utc>),
}
