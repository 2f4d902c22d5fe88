//! Appointments, services and staff, and importing bookings from other systems.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use tidings_domain::appointment_import::TitleRule;
use tidings_domain::import::SkippedRow;
use tidings_domain::Appointment;

/// Which column (0-based) holds each field of an appointment export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct AppointmentMapping {
    pub date: Option<u32>,
    /// A time column, or a date-and-time column when `date` is absent.
    pub start_time: Option<u32>,
    pub end_time: Option<u32>,
    pub duration_minutes: Option<u32>,
    pub client_name: Option<u32>,
    /// A last-name column joined to the client name (exports that split the name).
    #[serde(default)]
    pub last_name: Option<u32>,
    pub phone: Option<u32>,
    pub service: Option<u32>,
    pub staff: Option<u32>,
    pub status: Option<u32>,
    pub external_id: Option<u32>,
    pub notes: Option<u32>,
}

/// How to read an appointment file. CSV or ICS is told from the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct AppointmentImportOptions {
    #[ts(optional)]
    pub mapping: Option<AppointmentMapping>,
    /// How an ICS event's title names the appointment ("Service - Name" unless chosen).
    #[serde(default)]
    #[ts(optional)]
    pub title_rule: Option<TitleRule>,
}

/// What one row (CSV) or event (ICS) of a file does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(tag = "kind", rename_all = "snake_case")]
pub enum AppointmentOutcome {
    New,
    Update {
        appointment_id: i64,
    },
    Unchanged {
        appointment_id: i64,
    },
    /// The file marks it cancelled; the booked appointment will be cancelled.
    Cancel {
        appointment_id: i64,
    },
    Skipped {
        reason: String,
    },
    /// No phone number to find or create the client by: the desk matches it by hand.
    NoClient,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppointmentRowPlan {
    /// CSV: the spreadsheet row. ICS: the event's position in the file (1 = first).
    pub row: u32,
    /// Client name (CSV) or the event's summary (ICS).
    pub label: String,
    /// The client's name as read (an ICS event's may come from a guest, its description or
    /// its title).
    pub client_name: Option<String>,
    pub service: Option<String>,
    /// Where an ICS event's client, phone and service were read ("name: title · phone:
    /// attendee"); empty for CSV, whose columns say it.
    pub read_from: String,
    pub phone: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub external_id: Option<String>,
    pub outcome: AppointmentOutcome,
}

/// An appointment this desk imported before that the new file no longer has. Reported, not
/// deleted: the desk decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MissingAppointment {
    pub appointment_id: i64,
    pub external_id: String,
    pub starts_at: DateTime<Utc>,
    pub client_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
pub struct AppointmentImportReport {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub cancelled: u32,
    pub clients_created: u32,
    pub skipped: Vec<SkippedRow>,
    /// Events with no phone number, listed for the desk to match.
    pub no_client: Vec<SkippedRow>,
    pub missing: Vec<MissingAppointment>,
    /// Appointments that overlap another of the same staff member (allowed, flagged).
    pub overlapping: Vec<SkippedRow>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppointmentImportPreview {
    /// "csv" or "ics".
    pub kind: String,
    pub headers: Vec<String>,
    pub mapping: Option<AppointmentMapping>,
    pub total_rows: u32,
    pub rows: Vec<AppointmentRowPlan>,
    pub report: AppointmentImportReport,
}

/// Today's agenda in the business's own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TodayView {
    /// YYYY-MM-DD in the business's zone.
    pub date: String,
    pub timezone: String,
    pub appointments: Vec<Appointment>,
}

use tidings_domain::appointment::check_span;
use tidings_domain::{
    AppointmentInput, AppointmentSource, AppointmentStatus, Change, Service, Staff, WriteSource,
};
use tidings_store::AppointmentRecord;

use crate::error::bad_input;
use crate::{Engine, EngineError};

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

use std::collections::HashMap;

use tidings_domain::appointment::overlaps as spans_overlap;
use tidings_domain::appointment_import::{
    guess_columns, is_ics, parse_csv, parse_ics, Columns, IcsRules, ParsedAppointment, ParsedFile,
    RECURRENCE_WINDOW_DAYS,
};
use tidings_domain::import::read_csv;
use tidings_store::ImportedAppointment;

/// The most rows an appointment import preview lists one by one (every problem row is listed).
pub const APPOINTMENT_PREVIEW_ROWS: usize = 300;

impl From<Columns> for AppointmentMapping {
    fn from(c: Columns) -> Self {
        Self {
            date: c.date,
            start_time: c.start_time,
            end_time: c.end_time,
            duration_minutes: c.duration_minutes,
            client_name: c.client_name,
            last_name: c.last_name,
            phone: c.phone,
            service: c.service,
            staff: c.staff,
            status: c.status,
            external_id: c.external_id,
            notes: c.notes,
        }
    }
}

impl From<AppointmentMapping> for Columns {
    fn from(m: AppointmentMapping) -> Self {
        Self {
            date: m.date,
            start_time: m.start_time,
            end_time: m.end_time,
            duration_minutes: m.duration_minutes,
            client_name: m.client_name,
            last_name: m.last_name,
            phone: m.phone,
            service: m.service,
            staff: m.staff,
            status: m.status,
            external_id: m.external_id,
            notes: m.notes,
        }
    }
}

/// A file read and matched against the desk's appointments.
pub(crate) struct AppointmentPlan {
    pub(crate) kind: &'static str,
    headers: Vec<String>,
    mapping: Option<AppointmentMapping>,
    pub(crate) rows: Vec<AppointmentRowPlan>,
    pub(crate) writes: Vec<ImportedAppointment>,
    pub(crate) report: AppointmentImportReport,
}

impl Engine {
    pub(crate) fn plan_appointments(
        &self,
        bytes: &[u8],
        options: &AppointmentImportOptions,
        feed_id: Option<i64>,
    ) -> Result<AppointmentPlan, EngineError> {
        let settings = self.settings()?;
        if settings.phone_region.is_empty() {
            return Err(EngineError::SetupRequired);
        }
        let zone: chrono_tz::Tz = settings.zone();
        let now = self.now();
        let (kind, source, headers, mapping, parsed): (_, _, _, _, ParsedFile) = if is_ics(bytes) {
            let services: Vec<String> =
                self.store.services()?.into_iter().map(|s| s.name).collect();
            let rules = IcsRules {
                title: options.title_rule.unwrap_or_default(),
                services: &services,
            };
            let parsed = parse_ics(bytes, &zone, &settings.phone_region, now, &rules)?;
            (
                "ics",
                AppointmentSource::IcsImport,
                Vec::new(),
                None,
                parsed,
            )
        } else {
            let table = read_csv(bytes)?;
            let mapping = options
                .mapping
                .unwrap_or_else(|| guess_columns(&table.headers).into());
            let parsed = parse_csv(&table, &mapping.into(), &zone, &settings.phone_region, now);
            (
                "csv",
                AppointmentSource::CsvImport,
                table.headers,
                Some(mapping),
                parsed,
            )
        };

        let mut report = AppointmentImportReport::default();
        let mut rows: Vec<AppointmentRowPlan> = Vec::new();
        let mut writes = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        let mut planned_spans: Vec<(String, DateTime<Utc>, DateTime<Utc>, u32)> = Vec::new();
        for r in &parsed.rejected {
            report.skipped.push(SkippedRow {
                row: r.row,
                reason: r.reason.clone(),
            });
            rows.push(AppointmentRowPlan {
                row: r.row,
                label: r.label.clone(),
                client_name: None,
                service: None,
                read_from: String::new(),
                phone: None,
                starts_at: None,
                ends_at: None,
                external_id: None,
                outcome: AppointmentOutcome::Skipped {
                    reason: r.reason.clone(),
                },
            });
        }
        for a in &parsed.appointments {
            let (outcome, mut write) = self.match_appointment(a, source, &zone, &mut seen)?;
            if let Some(w) = write.as_mut() {
                w.feed_id = feed_id;
            }
            match &outcome {
                AppointmentOutcome::New => report.created += 1,
                AppointmentOutcome::Update { .. } => report.updated += 1,
                AppointmentOutcome::Unchanged { .. } => report.unchanged += 1,
                AppointmentOutcome::Cancel { .. } => report.cancelled += 1,
                AppointmentOutcome::Skipped { reason } => report.skipped.push(SkippedRow {
                    row: a.row,
                    reason: reason.clone(),
                }),
                AppointmentOutcome::NoClient => report.no_client.push(SkippedRow {
                    row: a.row,
                    reason: format!(
                        "{} has no phone number to find the client by",
                        if a.label.is_empty() {
                            "this event"
                        } else {
                            a.label.as_str()
                        }
                    ),
                }),
            }
            if let Some(w) = write {
                if let (Some(staff), true) = (&w.staff, w.status.is_live()) {
                    let clash_in_file = planned_spans.iter().find(|(s, from, to, _)| {
                        s == staff && spans_overlap((*from, *to), (w.starts_at, w.ends_at))
                    });
                    let clash_in_db = self
                        .store
                        .appointments_between(w.starts_at, w.ends_at, None)?
                        .into_iter()
                        .any(|o| {
                            o.staff.as_deref() == Some(staff.as_str())
                                && o.status.is_live()
                                && Some(o.id) != w.existing_id
                        });
                    if let Some((_, _, _, other)) = clash_in_file {
                        report.overlapping.push(SkippedRow {
                            row: a.row,
                            reason: format!("{staff} is also booked by row {other}"),
                        });
                    } else if clash_in_db {
                        report.overlapping.push(SkippedRow {
                            row: a.row,
                            reason: format!("{staff} already has an appointment then"),
                        });
                    }
                    planned_spans.push((staff.clone(), w.starts_at, w.ends_at, a.row));
                }
                writes.push(w);
            }
            rows.push(AppointmentRowPlan {
                row: a.row,
                label: a.label.clone(),
                client_name: Some(a.client_name.clone()),
                service: a.service.clone(),
                read_from: a.read_from.clone(),
                phone: a.phone.clone(),
                starts_at: Some(a.starts_at),
                ends_at: Some(a.ends_at),
                external_id: a.external_id.clone(),
                outcome,
            });
        }
        rows.sort_by_key(|r| r.row);
        report.skipped.sort_by_key(|s| s.row);

        // Appointments this desk imported before, in the span the file covers, that the file
        // no longer has: reported, never deleted.
        // A feed is the whole book: anything of its own in the span it covers that it no
        // longer has was removed there.
        let starts: Vec<DateTime<Utc>> = parsed.appointments.iter().map(|a| a.starts_at).collect();
        let span = match (starts.iter().min(), starts.iter().max()) {
            _ if kind == "ics" && feed_id.is_some() => Some(tidings_store::FeedSpan {
                from: now,
                to: now + chrono::Duration::days(RECURRENCE_WINDOW_DAYS),
            }),
            (Some(first), Some(last)) => Some(tidings_store::FeedSpan {
                from: (*first).max(now),
                to: if kind == "ics" {
                    (*last).max(now + chrono::Duration::days(RECURRENCE_WINDOW_DAYS))
                } else {
                    *last
                },
            }),
            _ => None,
        };
        // Every id the file names, whether or not its row could be imported (an event that lost
        // its phone number is still there).
        let present: std::collections::HashSet<String> = parsed
            .appointments
            .iter()
            .filter_map(|a| {
                a.external_id.clone().or_else(|| {
                    a.phone
                        .as_ref()
                        .map(|p| format!("{p}@{}", tidings_store::stamp(a.starts_at)))
                })
            })
            .collect();
        if let Some(span) = span {
            let olds = match feed_id {
                Some(feed) => self.store.feed_appointments(feed, span)?,
                None => self
                    .store
                    .imported_appointments_from(source, span.from)?
                    .into_iter()
                    .filter(|a| a.starts_at <= span.to)
                    .collect(),
            };
            for old in olds {
                let Some(id) = &old.external_id else { continue };
                if !seen.contains_key(id) && !present.contains(id) {
                    report.missing.push(MissingAppointment {
                        appointment_id: old.id,
                        external_id: id.clone(),
                        starts_at: old.starts_at,
                        client_name: old.client_name.clone(),
                    });
                }
            }
        }
        Ok(AppointmentPlan {
            kind,
            headers,
            mapping,
            rows,
            writes,
            report,
        })
    }

    /// Decides what one parsed appointment does, and what to write for it.
    fn match_appointment(
        &self,
        a: &ParsedAppointment,
        source: AppointmentSource,
        zone: &chrono_tz::Tz,
        seen: &mut HashMap<String, u32>,
    ) -> Result<(AppointmentOutcome, Option<ImportedAppointment>), EngineError> {
        let Some(phone) = &a.phone else {
            return Ok((AppointmentOutcome::NoClient, None));
        };
        // Without an id column, the number and start identify a booking, so a re-import of the
        // same file still finds it.
        let external_id = a
            .external_id
            .clone()
            .unwrap_or_else(|| format!("{phone}@{}", tidings_store::stamp(a.starts_at)));
        if let Some(first) = seen.get(&external_id) {
            return Ok((
                AppointmentOutcome::Skipped {
                    reason: format!("same booking as row {first}"),
                },
                None,
            ));
        }
        seen.insert(external_id.clone(), a.row);
        let existing = self.store.appointment_by_external(source, &external_id)?;
        let minutes = u32::try_from((a.ends_at - a.starts_at).num_minutes())
            .unwrap_or(60)
            .clamp(5, 1440);
        let write = |existing_id: Option<i64>, status: AppointmentStatus| ImportedAppointment {
            existing_id,
            client_phone: phone.clone(),
            client_name: if a.client_name.trim().is_empty() {
                phone.clone()
            } else {
                a.client_name.trim().to_owned()
            },
            service: a.service.clone().map(|s| (s, minutes)),
            staff: a.staff.clone(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            timezone: zone.name().to_owned(),
            location: a.location.clone(),
            notes: a.notes.clone(),
            status,
            source,
            external_id: Some(external_id.clone()),
            feed_id: None,
        };
        Ok(match existing {
            None if a.status == AppointmentStatus::Cancelled => (
                AppointmentOutcome::Skipped {
                    reason: "cancelled in the file, and not booked here: nothing to cancel".into(),
                },
                None,
            ),
            None => (AppointmentOutcome::New, Some(write(None, a.status))),
            Some(old) => {
                if a.status == AppointmentStatus::Cancelled {
                    if old.status == AppointmentStatus::Cancelled {
                        (
                            AppointmentOutcome::Unchanged {
                                appointment_id: old.id,
                            },
                            None,
                        )
                    } else {
                        (
                            AppointmentOutcome::Cancel {
                                appointment_id: old.id,
                            },
                            Some(write(Some(old.id), AppointmentStatus::Cancelled)),
                        )
                    }
                } else {
                    // A status the desk set since (confirmed, completed...) outranks a plain
                    // "booked" in the file.
                    // A booking a feed cancelled because it had gone is booked again when it
                    // comes back.
                    let status = if old.status == AppointmentStatus::Cancelled
                        && old.status_note.is_some()
                    {
                        a.status
                    } else if a.status == AppointmentStatus::Booked {
                        old.status
                    } else {
                        a.status
                    };
                    let same = old.starts_at == a.starts_at
                        && old.ends_at == a.ends_at
                        && old.status == status
                        && old.client_phone == *phone
                        && old.service == a.service
                        && old.staff == a.staff
                        && old.notes == a.notes
                        && old.location == a.location;
                    if same {
                        (
                            AppointmentOutcome::Unchanged {
                                appointment_id: old.id,
                            },
                            None,
                        )
                    } else {
                        (
                            AppointmentOutcome::Update {
                                appointment_id: old.id,
                            },
                            Some(write(Some(old.id), status)),
                        )
                    }
                }
            }
        })
    }

    /// Re-plans the appointments an import cancelled (re-planning them all covers only live
    /// ones), so their waiting texts are cancelled now rather than refused when due.
    pub(crate) fn replan_ended(
        &self,
        rows: &[AppointmentRowPlan],
        removed: &[i64],
    ) -> Result<(), EngineError> {
        let cancelled = rows.iter().filter_map(|r| match r.outcome {
            AppointmentOutcome::Cancel { appointment_id } => Some(appointment_id),
            _ => None,
        });
        for id in cancelled.chain(removed.iter().copied()) {
            self.replan(id)?;
        }
        Ok(())
    }

    /// Reads an appointment file (CSV or ICS) and says what importing it would do.
    pub fn preview_appointment_import(
        &self,
        bytes: &[u8],
        options: &AppointmentImportOptions,
    ) -> Result<AppointmentImportPreview, EngineError> {
        let plan = self.plan_appointments(bytes, options, None)?;
        let mut report = plan.report;
        report.dry_run = true;
        let total_rows = u32::try_from(plan.rows.len()).unwrap_or(u32::MAX);
        let rows = plan
            .rows
            .into_iter()
            .enumerate()
            .filter(|(i, r)| {
                *i < APPOINTMENT_PREVIEW_ROWS
                    || matches!(
                        r.outcome,
                        AppointmentOutcome::Skipped { .. } | AppointmentOutcome::NoClient
                    )
            })
            .map(|(_, r)| r)
            .collect();
        Ok(AppointmentImportPreview {
            kind: plan.kind.to_owned(),
            headers: plan.headers,
            mapping: plan.mapping,
            total_rows,
            rows,
            report,
        })
    }

    /// Imports an appointment file in one transaction. Re-importing updates by external id
    /// (ICS UID, the booking system's id, or number and start), never duplicates.
    pub fn import_appointments(
        &self,
        bytes: &[u8],
        options: &AppointmentImportOptions,
        dry_run: bool,
        source: WriteSource,
        actor: &str,
    ) -> Result<AppointmentImportReport, EngineError> {
        let plan = self.plan_appointments(bytes, options, None)?;
        let mut report = plan.report;
        if dry_run {
            report.dry_run = true;
            return Ok(report);
        }
        if plan.writes.is_empty() {
            return Ok(report);
        }
        report.clients_created = self.store.apply_appointment_import(
            &plan.writes,
            None,
            self.now(),
            self.audit(actor, source, "appointment", "import"),
            serde_json::to_value(&report).unwrap_or_default(),
        )?;
        self.carry_number_opt_outs()?;
        self.replan_all()?;
        self.replan_ended(&plan.rows, &[])?;
        self.publish(source, vec![Change::Appointments, Change::Clients]);
        Ok(report)
    }
}
