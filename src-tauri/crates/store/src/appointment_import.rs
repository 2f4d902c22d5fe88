//! An appointment import or a calendar feed's read, written in one transaction.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use tidings_domain::{AppointmentSource, AppointmentStatus};

use crate::appointments::{insert, stamp, update, AppointmentRecord, LIVE};
use crate::audit::{self, NewAuditEntry};
use crate::{Store, StoreError};

/// One appointment of an import, with its client, service and staff named rather than
/// numbered: the transaction finds or creates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAppointment {
    /// The appointment this row updates (matched by external id), if any.
    pub existing_id: Option<i64>,
    pub client_phone: String,
    pub client_name: String,
    /// Name and usual minutes.
    pub service: Option<(String, u32)>,
    pub staff: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub location: String,
    pub notes: String,
    pub status: AppointmentStatus,
    pub source: AppointmentSource,
    pub external_id: Option<String>,
    /// The calendar feed this row was read from, which keeps it up to date from now on.
    pub feed_id: Option<i64>,
}

/// What a calendar feed's read does besides its rows.
#[derive(Debug, Clone, Copy)]
pub struct FeedChanges<'a> {
    pub feed_id: i64,
    /// Bookings it has that need no change.
    pub unchanged: &'a [i64],
    /// Bookings of its own it no longer has.
    pub removed: &'a [RemovedAppointment],
}

/// A booking a calendar feed no longer has, to be cancelled with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedAppointment {
    pub id: i64,
    /// "removed from Google Calendar"
    pub note: String,
}

impl Store {
    /// Writes an appointment import in one transaction: the clients it creates (by number),
    /// the services and staff it names, and every appointment. Returns how many clients it
    /// created.
    pub fn apply_appointment_import(
        &self,
        rows: &[ImportedAppointment],
        feed: Option<FeedChanges<'_>>,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
        detail: serde_json::Value,
    ) -> Result<u32, StoreError> {
        self.write(|tx| {
            let now_text = stamp(now);
            let mut clients_created = 0;
            for row in rows {
                let client_id = match tx
                    .query_row(
                        "SELECT id FROM clients WHERE phone = ?1",
                        [&row.client_phone],
                        |r| r.get::<_, i64>(0),
                    )
                    .optional()?
                {
                    Some(id) => id,
                    None => {
                        tx.execute(
                            "INSERT INTO clients (name, phone, notes, created_at, updated_at)
                             VALUES (?1, ?2, '', ?3, ?3)",
                            params![row.client_name, row.client_phone, now_text],
                        )?;
                        clients_created += 1;
                        tx.last_insert_rowid()
                    }
                };
                let service_id = match &row.service {
                    Some((name, minutes)) => {
                        tx.execute(
                            "INSERT INTO services (name, minutes) VALUES (?1, ?2)
                             ON CONFLICT (name) DO NOTHING",
                            params![name, minutes],
                        )?;
                        Some(tx.query_row(
                            "SELECT id FROM services WHERE name = ?1",
                            [name],
                            |r| r.get::<_, i64>(0),
                        )?)
                    }
                    None => None,
                };
                let staff_id = match &row.staff {
                    Some(name) => {
                        tx.execute(
                            "INSERT INTO staff (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
                            [name],
                        )?;
                        Some(
                            tx.query_row("SELECT id FROM staff WHERE name = ?1", [name], |r| {
                                r.get::<_, i64>(0)
                            })?,
                        )
                    }
                    None => None,
                };
                let record = AppointmentRecord {
                    client_id,
                    starts_at: row.starts_at,
                    ends_at: row.ends_at,
                    timezone: row.timezone.clone(),
                    service_id,
                    staff_id,
                    location: row.location.clone(),
                    notes: row.notes.clone(),
                    status: row.status,
                    source: row.source,
                    external_id: row.external_id.clone(),
                };
                let id = match row.existing_id {
                    Some(id) => {
                        update(tx, id, &record, now)?;
                        id
                    }
                    None => insert(tx, &record, now)?,
                };
                if let Some(feed_id) = row.feed_id {
                    tx.execute(
                        "UPDATE appointments SET feed_id = ?2 WHERE id = ?1",
                        params![id, feed_id],
                    )?;
                }
            }
            let Some(feed) = feed else {
                audit::insert(
                    tx,
                    &NewAuditEntry {
                        detail,
                        ..audit_entry
                    },
                )?;
                return Ok(clients_created);
            };
            // Bookings the feed has that were already here as they are: kept up to date by it
            // from now on.
            for id in feed.unchanged {
                tx.execute(
                    "UPDATE appointments SET feed_id = ?2 WHERE id = ?1 AND feed_id IS NOT ?2",
                    params![id, feed.feed_id],
                )?;
            }
            // Bookings the feed no longer has: cancelled, with why. Only a booking still live is
            // touched (one the desk cancelled or completed since keeps what the desk said).
            for gone in feed.removed {
                tx.execute(
                    &format!(
                        "UPDATE appointments SET status = 'cancelled', status_note = ?2,
                             updated_at = ?3
                         WHERE id = ?1 AND status IN {LIVE}"
                    ),
                    params![gone.id, gone.note, now_text],
                )?;
            }
            audit::insert(
                tx,
                &NewAuditEntry {
                    detail,
                    ..audit_entry
                },
            )?;
            Ok(clients_created)
        })
    }
}
