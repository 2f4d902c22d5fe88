-- Templates (with immutable versions), reminder rules, and every text in and out.

CREATE TABLE templates (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,      -- stable name: 'reminder_confirm', 'help_reply', ...
    kind        TEXT NOT NULL CHECK (kind IN ('reminder', 'confirmation_reply',
                    'reschedule_reply', 'help_reply', 'opt_out_confirmation',
                    'opt_in_confirmation', 'holding_reply', 'follow_up')),
    name        TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('service', 'marketing'))
) STRICT;

CREATE TABLE template_versions (
    id           INTEGER PRIMARY KEY,
    template_id  INTEGER NOT NULL REFERENCES templates (id),
    version      INTEGER NOT NULL CHECK (version >= 1),
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    UNIQUE (template_id, version)
) STRICT;
CREATE TRIGGER template_versions_no_update BEFORE UPDATE ON template_versions
BEGIN SELECT RAISE(ABORT, 'template versions are immutable; save a new version'); END;
CREATE TRIGGER template_versions_no_delete BEFORE DELETE ON template_versions
BEGIN SELECT RAISE(ABORT, 'template versions are immutable; save a new version'); END;

CREATE TABLE reminder_rules (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,
    offset_minutes     INTEGER NOT NULL CHECK (offset_minutes BETWEEN 15 AND 20160),
    min_lead_minutes   INTEGER NOT NULL CHECK (min_lead_minutes >= 0),
    template_id        INTEGER NOT NULL REFERENCES templates (id),
    asks_confirmation  INTEGER NOT NULL DEFAULT 0 CHECK (asks_confirmation IN (0, 1)),
    enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    retired            INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),  -- replaced by a preset
    CHECK (min_lead_minutes < offset_minutes)
) STRICT;

CREATE TABLE messages (
    id                   INTEGER PRIMARY KEY,
    direction            TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    client_id            INTEGER REFERENCES clients (id),
    appointment_id       INTEGER REFERENCES appointments (id),
    rule_id              INTEGER REFERENCES reminder_rules (id),
    template_version_id  INTEGER REFERENCES template_versions (id),
    purpose              TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
    automated            INTEGER NOT NULL DEFAULT 1 CHECK (automated IN (0, 1)),
    to_number            TEXT NOT NULL,
    from_number          TEXT NOT NULL DEFAULT '',
    body                 TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('planned', 'sending', 'retry_wait',
                             'scheduled_at_provider', 'sent', 'delivered', 'undelivered',
                             'failed', 'suppressed', 'cancelled', 'received')),
    reason               TEXT,
    send_at              TEXT,
    planned_for          TEXT,             -- the appointment start it was planned for
    sent_at              TEXT,
    provider_id          TEXT UNIQUE,
    error_code           TEXT,
    segments             INTEGER NOT NULL DEFAULT 0,
    encoding             TEXT NOT NULL DEFAULT 'GSM-7',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;
-- Invariant 1: at most one live reminder per (appointment, rule).
CREATE UNIQUE INDEX messages_one_live_per_rule ON messages (appointment_id, rule_id)
    WHERE status IN ('planned', 'sending', 'retry_wait', 'scheduled_at_provider');
CREATE INDEX messages_due ON messages (status, send_at);
CREATE INDEX messages_client ON messages (client_id, created_at);
CREATE INDEX messages_appointment ON messages (appointment_id);
