-- Appointments, and the small lists of services and staff they use.

CREATE TABLE services (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 1440),
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1))
) STRICT;

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1))
) STRICT;

CREATE TABLE appointments (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id),
    starts_at    TEXT NOT NULL,            -- RFC 3339 UTC, fixed width so text order is time order
    ends_at      TEXT NOT NULL,
    timezone     TEXT NOT NULL,            -- IANA zone it was booked in
    service_id   INTEGER REFERENCES services (id),
    staff_id     INTEGER REFERENCES staff (id),
    location     TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('booked', 'confirmed', 'reschedule_requested',
                     'cancelled', 'completed', 'no_show')),
    source       TEXT NOT NULL CHECK (source IN ('desk', 'csv_import', 'ics_import', 'cli')),
    external_id  TEXT,                     -- the booking system's id or the ICS UID
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX appointments_time ON appointments (starts_at);
CREATE INDEX appointments_staff_time ON appointments (staff_id, starts_at);
CREATE INDEX appointments_client ON appointments (client_id, starts_at);
-- A re-import updates by external id instead of duplicating.
CREATE UNIQUE INDEX appointments_external ON appointments (source, external_id)
    WHERE external_id IS NOT NULL;
