-- Foundation: business settings, the audit log and the Sandbox carrier's records.

CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,          -- JSON
    updated_at  TEXT NOT NULL           -- RFC 3339, UTC
) STRICT;

-- Who changed what. Append-only: the database refuses updates and deletes.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,          -- RFC 3339, UTC
    actor       TEXT NOT NULL,          -- who: a staff name, "desk", "cli", "engine"
    source      TEXT NOT NULL CHECK (source IN ('ui', 'background', 'import', 'cli')),
    entity      TEXT NOT NULL,          -- "settings", later "template", "consent", ...
    entity_id   TEXT,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL           -- JSON: what changed, from and to
) STRICT;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The Sandbox provider's simulated carrier: what it "delivered" and what the Sandbox phone sent.
CREATE TABLE sandbox_messages (
    id           INTEGER PRIMARY KEY,
    provider_id  TEXT NOT NULL UNIQUE,  -- "SB" + 32 hex digits, like a carrier's message id
    direction    TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    from_number  TEXT NOT NULL,
    to_number    TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL,         -- outbound: 'scheduled', 'delivered', 'canceled'; inbound: 'received'
    send_at      TEXT,                  -- for messages scheduled at the carrier
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX sandbox_messages_direction ON sandbox_messages (direction, id);
