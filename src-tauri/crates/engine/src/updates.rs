//! The other lifecycle moments: a status update about one appointment ("running late",
//! "ready for you"), and a notice to every appointment of a day ("closed today — reply 1 to
//! pick a new time"). Both go through the same consent rule, quiet hours and dispatcher as
//! reminders.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tidings_domain::{
    render, segments, Appointment, Change, Purpose, RenderContext, SegmentInfo, Settings,
    SuppressReason, WriteSource,
};
use tidings_store::{NewNotice, NoticeText};
use ts_rs::TS;

use crate::error::bad_input;
use crate::inbox::MAX_REPLY_SEGMENTS;
use crate::{Engine, EngineError, OutboxMessage};

/// The ready-made status updates: (key, name, wording). They are short, one task each, and
/// kept in code rather than as editable templates (the free-text option covers the rest).
pub const UPDATE_TEMPLATES: [(&str, &str, &str); 4] = [
    (
        "update_running_late",
        "Running late",
        "Hi {first_name}, we're running about {minutes} minutes late for your {time} {service}. Sorry for the wait! {business}",
    ),
    (
        "update_ready",
        "Ready for you",
        "Hi {first_name}, we're ready for you now. See you in a moment! {business}",
    ),
    (
        "update_arrive_early",
        "Please arrive early",
        "Hi {first_name}, please arrive 10 minutes early for your {time} {service} so we can start on time. {business}",
    ),
    (
        "update_staff_changed",
        "Staff member changed",
        "Hi {first_name}, your {time} {service} will now be with {staff}. Reply if that doesn't suit. {business}",
    ),
];

/// A starting point for a day-wide notice.
pub const NOTICE_SUGGESTION: &str = "{business}: sorry, we're closed on {weekday} {date}, so your {time} {service} can't go ahead. Reply 1 to pick a new time.";

/// What "Send update" sends: a ready template (with minutes for "running late") or free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpdateInput {
    #[ts(optional)]
    pub template_key: Option<String>,
    #[ts(optional)]
    pub text: Option<String>,
    #[ts(optional)]
    pub minutes: Option<u32>,
}

/// The update as the customer will read it, or why it can't go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpdatePreview {
    pub text: String,
    pub segments: SegmentInfo,
    pub blocked: Option<String>,
}

/// A ready update in the picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpdateTemplate {
    pub key: String,
    pub name: String,
    pub body: String,
}

/// Which appointments a notice is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeInput {
    /// The business's local day, "YYYY-MM-DD".
    pub date: String,
    #[ts(optional)]
    pub staff_id: Option<i64>,
    /// "HH:MM" local; both empty means the whole day.
    #[ts(optional)]
    pub from_time: Option<String>,
    #[ts(optional)]
    pub to_time: Option<String>,
    pub text: String,
    /// Send even inside quiet hours (recorded in the audit log).
    pub urgent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum NoticeExclusion {
    NoConsent,
    OptedOut,
    InvalidNumber,
}

impl NoticeExclusion {
    pub fn describe(self) -> &'static str {
        match self {
            Self::NoConsent => "no consent for appointment texts on record",
            Self::OptedOut => "opted out of texts",
            Self::InvalidNumber => "the number can't receive texts",
        }
    }
}

/// One affected appointment and whether its client gets the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeRecipient {
    pub appointment_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub phone: String,
    pub starts_at: DateTime<Utc>,
    /// The text they would get (rendered for their appointment).
    pub text: String,
    pub excluded: Option<NoticeExclusion>,
    pub excluded_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticePreview {
    pub recipients: Vec<NoticeRecipient>,
    pub sending: u32,
    pub skipped: u32,
    /// The longest rendered text's cost.
    pub segments: SegmentInfo,
    /// Set when it is quiet hours now and the notice is not urgent: texts wait until then.
    pub waits_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoticeProgress {
    pub notice_id: i64,
    pub total: u32,
    pub sent: u32,
    pub waiting: u32,
    pub failed: u32,
}

impl Engine {
    pub fn update_templates(&self) -> Vec<UpdateTemplate> {
        UPDATE_TEMPLATES
            .iter()
            .map(|(key, name, body)| UpdateTemplate {
                key: (*key).to_owned(),
                name: (*name).to_owned(),
                body: (*body).to_owned(),
            })
            .collect()
    }

    fn render_for(
        settings: &Settings,
        body: &str,
        appointment: &Appointment,
        minutes: Option<u32>,
    ) -> Result<String, EngineError> {
        let ctx = RenderContext {
            client_name: appointment.client_name.clone(),
            business: settings.business_name.clone(),
            business_phone: settings.business_phone.clone(),
            style: tidings_domain::DateStyle::for_region(&settings.phone_region),
            // Updates are written by the desk, in English for now.
            language: &tidings_domain::language::ENGLISH,
            starts_at: Some(appointment.starts_at),
            zone: appointment.timezone.parse().unwrap_or(chrono_tz::UTC),
            service: appointment.service.clone(),
            staff: appointment.staff.clone(),
            location: appointment.location.clone(),
            minutes,
        };
        render(body, &ctx).map_err(|e| bad_input("text", e.to_string()))
    }

    fn update_body(&self, input: &UpdateInput) -> Result<String, EngineError> {
        match (&input.template_key, input.text.as_deref().map(str::trim)) {
            (_, Some(text)) if !text.is_empty() => Ok(text.to_owned()),
            (Some(key), _) => {
                let Some((_, _, body)) = UPDATE_TEMPLATES.iter().find(|(k, ..)| k == key) else {
                    return Err(bad_input(
                        "template_key",
                        format!("There is no update called \"{key}\"."),
                    ));
                };
                if key == "update_running_late" && input.minutes.is_none_or(|m| m == 0 || m > 240) {
                    return Err(bad_input(
                        "minutes",
                        "Say how many minutes late, from 1 to 240.",
                    ));
                }
                if key != "update_running_late" && input.minutes.is_some() {
                    return Err(bad_input(
                        "minutes",
                        "Minutes go only with the running-late update; this one has none.",
                    ));
                }
                Ok((*body).to_owned())
            }
            _ => Err(bad_input("text", "Choose a ready update or type the text.")),
        }
    }

    /// Why a text can't go to this appointment's client now, if it can't: the service-text
    /// rule every send applies (`recipient_refusal`), then quiet hours.
    fn update_blocked(
        &self,
        settings: &Settings,
        appointment: &Appointment,
    ) -> Result<Option<String>, EngineError> {
        let Some(c) = self.store.client(appointment.client_id)? else {
            return Ok(Some("This client is gone.".to_owned()));
        };
        let name = &appointment.client_name;
        if appointment.ends_at <= self.now() {
            return Ok(Some(format!(
                "This appointment is over, so an update about it would reach {name} after the \
                 fact. To text them about something else, answer them in the Inbox."
            )));
        }
        Ok(
            match tidings_domain::gate::recipient_refusal(Some(&c), Purpose::Service, true) {
                Some(SuppressReason::OptedOut) => {
                    Some(format!("{name} has opted out of texts; call them instead."))
                }
                Some(SuppressReason::InvalidNumber) => Some(format!(
                    "Texts can't reach {name}'s number; call them instead."
                )),
                Some(_) => Some(format!(
                    "{name} hasn't agreed to appointment texts. Record their consent first, or call them."
                )),
                None => {
                    let hours = Self::allowed_hours(settings, c.timezone.as_deref());
                    (!hours.allows(self.now())).then(|| {
                        format!("It's quiet hours where {name} is; updates are not sent at night.")
                    })
                }
            },
        )
    }

    pub fn preview_update(
        &self,
        appointment_id: i64,
        input: &UpdateInput,
    ) -> Result<UpdatePreview, EngineError> {
        self.preview_update_of(&self.appointment(appointment_id)?, input)
    }

    fn preview_update_of(
        &self,
        appointment: &Appointment,
        input: &UpdateInput,
    ) -> Result<UpdatePreview, EngineError> {
        let settings = self.settings()?;
        let text = Self::render_for(
            &settings,
            &self.update_body(input)?,
            appointment,
            input.minutes,
        )?;
        Ok(UpdatePreview {
            segments: segments(&text),
            blocked: self.update_blocked(&settings, appointment)?,
            text,
        })
    }

    /// Sends a status update about one appointment now. It shows in the appointment's
    /// timeline and the client's thread; replies route like any other.
    pub async fn send_update(
        &self,
        appointment_id: i64,
        input: &UpdateInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<OutboxMessage, EngineError> {
        let appointment = self.appointment(appointment_id)?;
        if !appointment.status.is_live() {
            return Err(bad_input(
                "appointment",
                "This appointment is cancelled or over; there is nothing to update.",
            ));
        }
        let preview = self.preview_update_of(&appointment, input)?;
        if let Some(reason) = preview.blocked {
            return Err(bad_input("text", reason));
        }
        check_length(&preview.segments)?;
        let sent = self
            .send_typed_text(
                Some(appointment.client_id),
                Some(appointment_id),
                &appointment.client_phone,
                &preview.text,
                actor,
            )
            .await;
        self.publish(
            source,
            vec![Change::Messages, Change::Appointment { id: appointment_id }],
        );
        match sent {
            Ok(id) => {
                let mut audit = self.audit(actor, source, "appointment", "status_update");
                let id_text = appointment_id.to_string();
                audit.entity_id = Some(&id_text);
                self.store.append_audit(audit)?;
                self.outbox_message(id)
            }
            Err(message) => Err(bad_input(
                "text",
                format!("The update was not sent: {message}"),
            )),
        }
    }

    /// The day's (or hours', or staff member's) live appointments.
    fn notice_appointments(&self, input: &NoticeInput) -> Result<Vec<Appointment>, EngineError> {
        let settings = self.settings()?;
        let zone: chrono_tz::Tz = settings.zone();
        let day = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d")
            .map_err(|_| bad_input("date", "Give the day as YYYY-MM-DD, such as 2027-03-04."))?;
        let time = |text: &Option<String>, default: NaiveTime, field: &'static str| match text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => Ok(default),
            Some(t) => NaiveTime::parse_from_str(t, "%H:%M")
                .map_err(|_| bad_input(field, "Use 24-hour HH:MM, such as 09:00.")),
        };
        let from = time(&input.from_time, NaiveTime::MIN, "from_time")?;
        let to = time(
            &input.to_time,
            NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
            "to_time",
        )?;
        if to <= from {
            return Err(bad_input("to_time", "The end must be after the start."));
        }
        let local = |t: NaiveTime| {
            zone.from_local_datetime(&day.and_time(t))
                .earliest()
                .map(|d| d.with_timezone(&Utc))
                .ok_or_else(|| {
                    bad_input(
                        "date",
                        "That time doesn't exist on that day (a clock change).",
                    )
                })
        };
        let (start, end) = (local(from)?, local(to)?);
        Ok(self
            .store
            .appointments_between(start, end, input.staff_id)?
            .into_iter()
            // Appointments already under way or over need no notice.
            .filter(|a| {
                a.status.is_live() && a.starts_at >= start.max(self.now()) && a.starts_at <= end
            })
            .collect())
    }

    /// Who a notice reaches and who it does not, and why, before anything is sent.
    pub fn preview_notice(&self, input: &NoticeInput) -> Result<NoticePreview, EngineError> {
        let text = input.text.trim();
        if text.is_empty() {
            return Err(bad_input("text", "Type the notice first."));
        }
        tidings_domain::check_template(text).map_err(|e| bad_input("text", e.to_string()))?;
        let appointments = self.notice_appointments(input)?;
        if appointments.is_empty() {
            return Err(bad_input(
                "date",
                "There are no booked appointments then; nobody would get this notice.",
            ));
        }
        let settings = self.settings()?;
        let mut recipients = Vec::new();
        let mut longest = segments("");
        for a in appointments {
            let client = self.store.client(a.client_id)?;
            let excluded =
                tidings_domain::gate::recipient_refusal(client.as_ref(), Purpose::Service, true)
                    .map(|reason| match reason {
                        SuppressReason::OptedOut => NoticeExclusion::OptedOut,
                        SuppressReason::InvalidNumber => NoticeExclusion::InvalidNumber,
                        _ => NoticeExclusion::NoConsent,
                    });
            let rendered = Self::render_for(&settings, text, &a, None)?;
            let cost = segments(&rendered);
            if cost.segments > longest.segments {
                longest = cost;
            }
            recipients.push(NoticeRecipient {
                appointment_id: a.id,
                client_id: a.client_id,
                client_name: a.client_name.clone(),
                phone: a.client_phone.clone(),
                starts_at: a.starts_at,
                text: rendered,
                excluded,
                excluded_text: excluded.map(|e| e.describe().to_owned()),
            });
        }
        let hours = Self::allowed_hours(&settings, None);
        let now = self.now();
        let sending = recipients.iter().filter(|r| r.excluded.is_none()).count() as u32;
        Ok(NoticePreview {
            skipped: recipients.len() as u32 - sending,
            sending,
            segments: longest,
            waits_until: (!input.urgent && !hours.allows(now))
                .then(|| hours.next_allowed(now))
                .flatten(),
            recipients,
        })
    }

    /// Queues the notice: one text per reachable, consenting client, sent by the dispatcher at
    /// the provider's rate. A notice cut short by closing the app resumes and never repeats.
    pub fn send_notice(
        &self,
        input: &NoticeInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<NoticeProgress, EngineError> {
        let preview = self.preview_notice(input)?;
        if preview.sending == 0 {
            return Err(bad_input(
                "text",
                "Nobody can get this notice: every affected client has opted out, has no consent on record or can't receive texts. Call them instead.",
            ));
        }
        check_length(&preview.segments)?;
        let now = self.now();
        let texts: Vec<NoticeText> = preview
            .recipients
            .iter()
            .filter(|r| r.excluded.is_none())
            .map(|r| {
                let cost = segments(&r.text);
                NoticeText {
                    client_id: r.client_id,
                    appointment_id: r.appointment_id,
                    to: r.phone.clone(),
                    body: r.text.clone(),
                    segments: cost.segments,
                    encoding: cost.encoding.as_str(),
                    send_at: now,
                }
            })
            .collect();
        let notice_id = self.store.create_notice(
            &NewNotice {
                day: input.date.trim(),
                staff_id: input.staff_id,
                from_time: input.from_time.as_deref(),
                to_time: input.to_time.as_deref(),
                body: input.text.trim(),
                urgent: input.urgent,
                created_by: actor,
            },
            &texts,
            self.audit(
                actor,
                source,
                "notice",
                if input.urgent { "send_urgent" } else { "send" },
            ),
            now,
        )?;
        self.publish(source, vec![Change::Messages]);
        self.notice_progress(notice_id)
    }

    pub fn notice_progress(&self, notice_id: i64) -> Result<NoticeProgress, EngineError> {
        let c = self.store.notice_counts(notice_id)?;
        Ok(NoticeProgress {
            notice_id,
            total: c.total,
            sent: c.sent,
            waiting: c.waiting,
            failed: c.failed,
        })
    }
}

fn check_length(cost: &SegmentInfo) -> Result<(), EngineError> {
    if cost.segments > MAX_REPLY_SEGMENTS {
        return Err(bad_input(
            "text",
            format!(
                "That is {} texts long; keep it to {MAX_REPLY_SEGMENTS}.",
                cost.segments
            ),
        ));
    }
    Ok(())
}
