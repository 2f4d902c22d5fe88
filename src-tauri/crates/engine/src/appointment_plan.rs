//! Reading an appointment file (CSV or ICS) and matching each booking against the desk's own.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tidings_domain::appointment::overlaps as spans_overlap;
use tidings_domain::appointment_import::{
    guess_columns, is_ics, parse_csv, parse_ics, IcsRules, ParsedAppointment, ParsedFile,
    RECURRENCE_WINDOW_DAYS,
};
use tidings_domain::import::{read_csv, SkippedRow};
use tidings_domain::{AppointmentSource, AppointmentStatus};
use tidings_store::ImportedAppointment;

use crate::appointment_import::{
    AppointmentImportOptions, AppointmentImportReport, AppointmentMapping, AppointmentOutcome,
    AppointmentRowPlan, MissingAppointment,
};
use crate::{Engine, EngineError};

/// A file read and matched against the desk's appointments.
pub(crate) struct AppointmentPlan {
    pub(crate) kind: &'static str,
    pub(crate) headers: Vec<String>,
    pub(crate) mapping: Option<AppointmentMapping>,
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
}
