//! Appointments, services and staff: reading, booking, moving, status changes and today's agenda.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use tidings_domain::appointment::check_span;
use tidings_domain::{
    Appointment, AppointmentInput, AppointmentSource, AppointmentStatus, Change, Service, Staff,
    WriteSource,
};
use tidings_store::AppointmentRecord;

use crate::error::bad_input;
use crate::{Engine, EngineError};

/// Today's agenda in the business's own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TodayView {
    /// YYYY-MM-DD in the business's zone.
    pub date: String,
    pub timezone: String,
    pub appointments: Vec<Appointment>,
}

impl Engine {
    pub fn appointments_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        staff_id: Option<i64>,
    ) -> Result<Vec<Appointment>, EngineError> {
        if to <= from {
            return Err(bad_input("to", "The end of the range is before its start."));
        }
        if to - from > chrono::Duration::days(366) {
            return Err(bad_input("to", "Ask for a year of appointments at most."));
        }
        let mut appointments = self.store.appointments_between(from, to, staff_id)?;
        let settings = self.settings()?;
        let now = self.now();
        for appointment in &mut appointments {
            if appointment.starts_at > now && appointment.status.is_live() {
                appointment.reminder_warning =
                    self.reminder_warning(appointment.id, &settings, now)?;
            }
        }
        Ok(appointments)
    }

    /// Why one of an appointment's reminders won't go, if one won't: a planned one the gate
    /// would stop, or one already kept back for a reason the desk can fix. Each rule's newest
    /// text counts (an older one may have been replaced).
    fn reminder_warning(
        &self,
        appointment_id: i64,
        settings: &tidings_domain::Settings,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, EngineError> {
        use tidings_domain::gate::Outlook;
        use tidings_domain::{MessageStatus, SuppressReason};
        let rows = self.store.appointment_messages(appointment_id)?;
        let newest = |rule: i64| {
            rows.iter()
                .filter(|r| r.rule_id == Some(rule))
                .map(|r| r.id)
                .max()
        };
        for row in &rows {
            let Some(rule) = row.rule_id else { continue };
            if newest(rule) != Some(row.id) {
                continue;
            }
            match row.status {
                MessageStatus::Planned | MessageStatus::RetryWait => {
                    if let Some(Outlook::WontGo { text, .. }) = self.outlook(row, settings, now)? {
                        return Ok(Some(text));
                    }
                }
                MessageStatus::Suppressed => {
                    let fixable = [
                        SuppressReason::NoConsent,
                        SuppressReason::OptedOut,
                        SuppressReason::InvalidNumber,
                        SuppressReason::NoBusinessPhone,
                    ];
                    let reason = row.reason.as_deref().and_then(SuppressReason::parse);
                    if let Some(reason) = reason.filter(|r| fixable.contains(r)) {
                        return Ok(Some(reason.describe().to_owned()));
                    }
                }
                _ => {}
            }
        }
        Ok(None)
    }

    pub fn appointment(&self, id: i64) -> Result<Appointment, EngineError> {
        self.store.appointment(id)?.ok_or_else(|| {
            EngineError::NotFound(format!(
                "There is no appointment {id}. It may have been removed; reload the calendar."
            ))
        })
    }

    /// Checks an input and turns it into the record to write.
    fn record(
        &self,
        input: &AppointmentInput,
        status: AppointmentStatus,
        source: AppointmentSource,
        external_id: Option<String>,
    ) -> Result<AppointmentRecord, EngineError> {
        check_span(input.starts_at, input.ends_at)
            .map_err(|e| bad_input("ends_at", e.to_string()))?;
        self.store
            .client(input.client_id)?
            .ok_or_else(|| bad_input("client_id", "Choose a client for the appointment."))?;
        if let Some(id) = input.service_id {
            if !self.store.services()?.iter().any(|s| s.id == id) {
                return Err(bad_input(
                    "service_id",
                    "That service no longer exists; pick another.",
                ));
            }
        }
        if let Some(id) = input.staff_id {
            if !self.store.staff()?.iter().any(|s| s.id == id) {
                return Err(bad_input(
                    "staff_id",
                    "That staff member no longer exists; pick another.",
                ));
            }
        }
        let text =
            |t: &Option<String>, max: usize, field: &'static str| -> Result<String, EngineError> {
                let t = t.as_deref().unwrap_or_default().trim().to_owned();
                if t.chars().count() > max {
                    return Err(bad_input(
                        field,
                        format!("Keep it to {max} characters or fewer."),
                    ));
                }
                Ok(t)
            };
        Ok(AppointmentRecord {
            client_id: input.client_id,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            timezone: self.settings()?.timezone,
            service_id: input.service_id,
            staff_id: input.staff_id,
            location: text(&input.location, 200, "location")?,
            notes: text(&input.notes, 2000, "notes")?,
            status,
            source,
            external_id,
        })
    }

    pub fn create_appointment(
        &self,
        input: &AppointmentInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<Appointment, EngineError> {
        let origin = if source == WriteSource::Cli {
            AppointmentSource::Cli
        } else {
            AppointmentSource::Desk
        };
        let record = self.record(input, AppointmentStatus::Booked, origin, None)?;
        let created = self.store.insert_appointment(
            &record,
            self.now(),
            self.audit(actor, source, "appointment", "create"),
        )?;
        self.replan(created.id)?;
        self.publish(
            source,
            vec![Change::Appointment { id: created.id }, Change::Messages],
        );
        Ok(created)
    }

    /// Moves or edits an appointment; its status, origin and external id stay.
    pub fn update_appointment(
        &self,
        id: i64,
        input: &AppointmentInput,
        source: WriteSource,
        actor: &str,
    ) -> Result<Appointment, EngineError> {
        let current = self.appointment(id)?;
        let mut record = self.record(
            input,
            current.status,
            current.source,
            current.external_id.clone(),
        )?;
        // It stays in the zone it was booked in.
        record.timezone = current.timezone.clone();
        let action = if current.starts_at != record.starts_at || current.ends_at != record.ends_at {
            "reschedule"
        } else {
            "update"
        };
        let updated = self
            .store
            .update_appointment(
                id,
                &record,
                self.now(),
                self.audit(actor, source, "appointment", action),
            )?
            .ok_or_else(|| EngineError::NotFound(format!("There is no appointment {id}.")))?;
        self.replan(id)?;
        self.plan_follow_up(&updated)?;
        self.publish(source, vec![Change::Appointment { id }, Change::Messages]);
        Ok(updated)
    }

    /// A visit marked completed gets its "how did it go?" text, when follow-ups are on; one
    /// that stops being completed (no-show, cancelled) loses it. Never twice per visit.
    pub(crate) fn plan_follow_up(&self, appointment: &Appointment) -> Result<(), EngineError> {
        let now = self.now();
        if appointment.status != AppointmentStatus::Completed {
            self.store.cancel_follow_up(
                appointment.id,
                tidings_domain::SuppressReason::AppointmentCancelled.as_str(),
                now,
            )?;
            return Ok(());
        }
        let Some(hours) = self.settings()?.follow_up_hours else {
            return Ok(());
        };
        let send_at = now.max(appointment.ends_at) + chrono::Duration::hours(i64::from(hours));
        self.store.plan_follow_up(
            appointment.client_id,
            appointment.id,
            &appointment.client_phone,
            appointment.starts_at,
            send_at,
            now,
        )?;
        Ok(())
    }

    pub fn set_appointment_status(
        &self,
        id: i64,
        status: AppointmentStatus,
        source: WriteSource,
        actor: &str,
    ) -> Result<Appointment, EngineError> {
        let current = self.appointment(id)?;
        if current.status == status {
            return Ok(current);
        }
        let mut record = AppointmentRecord::of(&current);
        record.status = status;
        let updated = self
            .store
            .update_appointment(
                id,
                &record,
                self.now(),
                self.audit(actor, source, "appointment", status.as_str()),
            )?
            .ok_or_else(|| EngineError::NotFound(format!("There is no appointment {id}.")))?;
        self.replan(id)?;
        self.plan_follow_up(&updated)?;
        self.publish(source, vec![Change::Appointment { id }, Change::Messages]);
        Ok(updated)
    }

    /// Today's appointments in the business's zone, by start.
    pub fn today(&self) -> Result<TodayView, EngineError> {
        let settings = self.settings()?;
        let tz: chrono_tz::Tz = settings.zone();
        let now = self.now().with_timezone(&tz);
        let date = now.date_naive();
        let Some((from, to)) = tidings_domain::days::day_span(tz, date) else {
            return Err(bad_input(
                "timezone",
                "Today can't be worked out in the business's time zone.",
            ));
        };
        Ok(TodayView {
            date: date.format("%Y-%m-%d").to_string(),
            timezone: tz.name().to_owned(),
            // Flagged like the calendar's: a reminder later today that won't go says so.
            appointments: self.appointments_between(from, to, None)?,
        })
    }

    pub fn services(&self) -> Result<Vec<Service>, EngineError> {
        Ok(self.store.services()?)
    }

    pub fn staff(&self) -> Result<Vec<Staff>, EngineError> {
        Ok(self.store.staff()?)
    }

    fn catalog_name(name: &str) -> Result<String, EngineError> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(bad_input("name", "Enter a name."));
        }
        if name.chars().count() > 80 {
            return Err(bad_input(
                "name",
                "Keep the name to 80 characters or fewer.",
            ));
        }
        Ok(name)
    }

    pub fn save_service(
        &self,
        id: Option<i64>,
        name: &str,
        minutes: u32,
        source: WriteSource,
        actor: &str,
    ) -> Result<Service, EngineError> {
        let name = Self::catalog_name(name)?;
        if !(5..=1440).contains(&minutes) {
            return Err(bad_input(
                "minutes",
                "A service lasts from 5 minutes to 24 hours.",
            ));
        }
        if self
            .store
            .services()?
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&name) && Some(s.id) != id)
        {
            return Err(bad_input(
                "name",
                format!("There is already a service called {name}."),
            ));
        }
        let saved = self.store.save_service(
            id,
            &name,
            minutes,
            self.audit(actor, source, "service", "save"),
        )?;
        self.publish(source, vec![Change::Catalog]);
        Ok(saved)
    }

    pub fn save_staff(
        &self,
        id: Option<i64>,
        name: &str,
        source: WriteSource,
        actor: &str,
    ) -> Result<Staff, EngineError> {
        let name = Self::catalog_name(name)?;
        if self
            .store
            .staff()?
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&name) && Some(s.id) != id)
        {
            return Err(bad_input(
                "name",
                format!("There is already a staff member called {name}."),
            ));
        }
        let saved = self
            .store
            .save_staff(id, &name, self.audit(actor, source, "staff", "save"))?;
        self.publish(source, vec![Change::Catalog]);
        Ok(saved)
    }
}
