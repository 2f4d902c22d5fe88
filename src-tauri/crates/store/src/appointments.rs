//! Appointments, services and staff: reading them, and writing one at a time.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use tidings_domain::{Appointment, AppointmentSource, AppointmentStatus, Service, Staff};

use crate::audit::{self, NewAuditEntry};
use crate::clients::time;
use crate::error::bad;
use crate::{Store, StoreError};

/// Instants are stored to the second, fixed width, so text order is time order.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) const LIVE: &str = "('booked', 'confirmed', 'reschedule_requested')";

pub(crate) fn columns() -> String {
    format!(
        "a.id, a.client_id, c.name, c.phone, a.starts_at, a.ends_at, a.timezone,
         a.service_id, s.name, a.staff_id, st.name, a.location, a.notes, a.status, a.source,
         a.external_id, a.created_at, a.updated_at,
         (a.staff_id IS NOT NULL AND a.status IN {LIVE} AND EXISTS (
            SELECT 1 FROM appointments o
            WHERE o.staff_id = a.staff_id AND o.id != a.id AND o.status IN {LIVE}
              AND o.starts_at > strftime('%Y-%m-%dT%H:%M:%SZ', a.starts_at, '-1 day')
              AND o.starts_at < a.ends_at AND a.starts_at < o.ends_at)),
         a.feedback, f.name, a.status_note"
    )
}

pub(crate) const FROM: &str = "FROM appointments a
     JOIN clients c ON c.id = a.client_id
     LEFT JOIN services s ON s.id = a.service_id
     LEFT JOIN staff st ON st.id = a.staff_id
     LEFT JOIN feeds f ON f.id = a.feed_id";

pub(crate) fn appointment(row: &Row<'_>) -> rusqlite::Result<Appointment> {
    let status: String = row.get(13)?;
    let source: String = row.get(14)?;
    Ok(Appointment {
        id: row.get(0)?,
        client_id: row.get(1)?,
        client_name: row.get(2)?,
        client_phone: row.get(3)?,
        starts_at: time(&row.get::<_, String>(4)?)?,
        ends_at: time(&row.get::<_, String>(5)?)?,
        timezone: row.get(6)?,
        service_id: row.get(7)?,
        service: row.get(8)?,
        staff_id: row.get(9)?,
        staff: row.get(10)?,
        location: row.get(11)?,
        notes: row.get(12)?,
        status: AppointmentStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        source: AppointmentSource::parse(&source).ok_or_else(|| bad("source", &source))?,
        external_id: row.get(15)?,
        created_at: time(&row.get::<_, String>(16)?)?,
        updated_at: time(&row.get::<_, String>(17)?)?,
        overlaps: row.get::<_, i64>(18)? != 0,
        feedback: row.get(19)?,
        feed: row.get(20)?,
        status_note: row.get(21)?,
        reminder_warning: None,
    })
}

pub(crate) fn appointment_by_id(
    conn: &Connection,
    id: i64,
) -> Result<Option<Appointment>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {} {FROM} WHERE a.id = ?1", columns()),
            [id],
            appointment,
        )
        .optional()?)
}

/// The fields of an appointment as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRecord {
    pub client_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub service_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub location: String,
    pub notes: String,
    pub status: AppointmentStatus,
    pub source: AppointmentSource,
    pub external_id: Option<String>,
}

pub(crate) fn insert(
    tx: &Transaction<'_>,
    r: &AppointmentRecord,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO appointments (client_id, starts_at, ends_at, timezone, service_id, staff_id,
            location, notes, status, source, external_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        params![
            r.client_id,
            stamp(r.starts_at),
            stamp(r.ends_at),
            r.timezone,
            r.service_id,
            r.staff_id,
            r.location,
            r.notes,
            r.status.as_str(),
            r.source.as_str(),
            r.external_id,
            stamp(now),
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn update(
    tx: &Transaction<'_>,
    id: i64,
    r: &AppointmentRecord,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE appointments SET client_id = ?2, starts_at = ?3, ends_at = ?4, timezone = ?5,
            service_id = ?6, staff_id = ?7, location = ?8, notes = ?9, status = ?10,
            updated_at = ?11,
            status_note = CASE WHEN ?10 = status THEN status_note END
         WHERE id = ?1",
        params![
            id,
            r.client_id,
            stamp(r.starts_at),
            stamp(r.ends_at),
            r.timezone,
            r.service_id,
            r.staff_id,
            r.location,
            r.notes,
            r.status.as_str(),
            stamp(now),
        ],
    )?;
    Ok(())
}

impl AppointmentRecord {
    pub fn of(a: &Appointment) -> Self {
        Self {
            client_id: a.client_id,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            timezone: a.timezone.clone(),
            service_id: a.service_id,
            staff_id: a.staff_id,
            location: a.location.clone(),
            notes: a.notes.clone(),
            status: a.status,
            source: a.source,
            external_id: a.external_id.clone(),
        }
    }
}

fn audit_detail(before: Option<&Appointment>, after: &AppointmentRecord) -> serde_json::Value {
    serde_json::json!({
        "from": before.map(|b| serde_json::json!({
            "starts_at": stamp(b.starts_at), "ends_at": stamp(b.ends_at),
            "status": b.status.as_str(), "client_id": b.client_id,
            "service_id": b.service_id, "staff_id": b.staff_id,
        })),
        "to": {
            "starts_at": stamp(after.starts_at), "ends_at": stamp(after.ends_at),
            "status": after.status.as_str(), "client_id": after.client_id,
            "service_id": after.service_id, "staff_id": after.staff_id,
        },
    })
}

impl Store {
    /// Every appointment overlapping `[from, to)`, by start.
    pub fn appointments_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        staff_id: Option<i64>,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.read(|conn| {
            // Appointments last at most a day, so a start a day before `from` bounds the scan.
            let mut stmt = conn.prepare(&format!(
                "SELECT {} {FROM}
                 WHERE a.starts_at >= ?1 AND a.starts_at < ?2 AND a.ends_at > ?3
                   AND (?4 IS NULL OR a.staff_id = ?4)
                 ORDER BY a.starts_at, a.id",
                columns()
            ))?;
            let rows = stmt
                .query_map(
                    params![
                        stamp(from - chrono::Duration::days(1)),
                        stamp(to),
                        stamp(from),
                        staff_id
                    ],
                    appointment,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn appointment(&self, id: i64) -> Result<Option<Appointment>, StoreError> {
        self.read(|conn| appointment_by_id(conn, id))
    }

    /// Live appointments starting after `from`, soonest first (for re-planning them all in one
    /// read instead of one per appointment).
    pub fn upcoming_appointments(
        &self,
        from: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {} {FROM} WHERE a.starts_at > ?1
                   AND a.status IN ('booked', 'confirmed', 'reschedule_requested')
                 ORDER BY a.starts_at",
                columns()
            ))?;
            let rows = stmt
                .query_map([stamp(from)], appointment)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn appointment_by_external(
        &self,
        source: AppointmentSource,
        external_id: &str,
    ) -> Result<Option<Appointment>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {} {FROM} WHERE a.source = ?1 AND a.external_id = ?2",
                        columns()
                    ),
                    params![source.as_str(), external_id],
                    appointment,
                )
                .optional()?)
        })
    }

    /// Live imported appointments from `source` starting at or after `from`.
    pub fn imported_appointments_from(
        &self,
        source: AppointmentSource,
        from: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {} {FROM} WHERE a.source = ?1 AND a.external_id IS NOT NULL
                   AND a.starts_at >= ?2 AND a.status IN {LIVE} ORDER BY a.starts_at",
                columns()
            ))?;
            let rows = stmt
                .query_map(params![source.as_str(), stamp(from)], appointment)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn insert_appointment(
        &self,
        record: &AppointmentRecord,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Appointment, StoreError> {
        self.write(|tx| {
            let id = insert(tx, record, now)?;
            let id_text = id.to_string();
            audit::insert(
                tx,
                &NewAuditEntry {
                    entity_id: Some(&id_text),
                    detail: audit_detail(None, record),
                    ..audit_entry
                },
            )?;
            appointment_by_id(tx, id)?.ok_or(StoreError::Decode("appointment vanished".into()))
        })
    }

    /// Replaces an appointment's fields (not its source or external id).
    pub fn update_appointment(
        &self,
        id: i64,
        record: &AppointmentRecord,
        now: DateTime<Utc>,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Option<Appointment>, StoreError> {
        self.write(|tx| update_appointment(tx, id, record, now, audit_entry))
    }

    pub fn services(&self) -> Result<Vec<Service>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT id, name, minutes, archived FROM services ORDER BY name")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(Service {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        minutes: r.get(2)?,
                        archived: r.get::<_, i64>(3)? != 0,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    pub fn staff(&self) -> Result<Vec<Staff>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT id, name, archived FROM staff ORDER BY name")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(Staff {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        archived: r.get::<_, i64>(2)? != 0,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Adds a service (id `None`) or renames one; a name already used is refused.
    pub fn save_service(
        &self,
        id: Option<i64>,
        name: &str,
        minutes: u32,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Service, StoreError> {
        self.write(|tx| {
            let id = match id {
                Some(id) => {
                    tx.execute(
                        "UPDATE services SET name = ?2, minutes = ?3 WHERE id = ?1",
                        params![id, name, minutes],
                    )?;
                    id
                }
                None => {
                    tx.execute(
                        "INSERT INTO services (name, minutes) VALUES (?1, ?2)",
                        params![name, minutes],
                    )?;
                    tx.last_insert_rowid()
                }
            };
            audit::insert(
                tx,
                &NewAuditEntry {
                    detail: serde_json::json!({ "id": id, "name": name, "minutes": minutes }),
                    ..audit_entry
                },
            )?;
            Ok(Service {
                id,
                name: name.to_owned(),
                minutes,
                archived: false,
            })
        })
    }

    pub fn save_staff(
        &self,
        id: Option<i64>,
        name: &str,
        audit_entry: NewAuditEntry<'_>,
    ) -> Result<Staff, StoreError> {
        self.write(|tx| {
            let id = match id {
                Some(id) => {
                    tx.execute(
                        "UPDATE staff SET name = ?2 WHERE id = ?1",
                        params![id, name],
                    )?;
                    id
                }
                None => {
                    tx.execute("INSERT INTO staff (name) VALUES (?1)", [name])?;
                    tx.last_insert_rowid()
                }
            };
            audit::insert(
                tx,
                &NewAuditEntry {
                    detail: serde_json::json!({ "id": id, "name": name }),
                    ..audit_entry
                },
            )?;
            Ok(Staff {
                id,
                name: name.to_owned(),
                archived: false,
            })
        })
    }
}

/// `Store::update_appointment` in the caller's transaction.
pub(crate) fn update_appointment(
    tx: &Transaction<'_>,
    id: i64,
    record: &AppointmentRecord,
    now: DateTime<Utc>,
    audit_entry: NewAuditEntry<'_>,
) -> Result<Option<Appointment>, StoreError> {
    let Some(before) = appointment_by_id(tx, id)? else {
        return Ok(None);
    };
    update(tx, id, record, now)?;
    let id_text = id.to_string();
    audit::insert(
        tx,
        &NewAuditEntry {
            entity_id: Some(&id_text),
            detail: audit_detail(Some(&before), record),
            ..audit_entry
        },
    )?;
    appointment_by_id(tx, id)
}
