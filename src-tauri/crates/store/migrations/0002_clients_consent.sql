-- Clients and the consent ledger.

CREATE TABLE clients (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL UNIQUE,       -- E.164
    timezone    TEXT,                       -- IANA, when the client's differs from the business's
    notes       TEXT NOT NULL DEFAULT '',
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX clients_name ON clients (name COLLATE NOCASE);

-- The words shown to customers when asking for consent. Versions are never changed.
CREATE TABLE disclosures (
    purpose     TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
    version     INTEGER NOT NULL CHECK (version >= 1),
    template    TEXT NOT NULL,              -- "{business}" stands for the business name
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (purpose, version)
) STRICT;
CREATE TRIGGER disclosures_no_update BEFORE UPDATE ON disclosures
BEGIN SELECT RAISE(ABORT, 'disclosure versions are immutable; add a new version'); END;
CREATE TRIGGER disclosures_no_delete BEFORE DELETE ON disclosures
BEGIN SELECT RAISE(ABORT, 'disclosure versions are immutable; add a new version'); END;

INSERT INTO disclosures (purpose, version, template, created_at, created_by) VALUES
('service', 1,
 '{business} will text you about your appointments: reminders, changes and replies to your messages. Message frequency varies. Msg & data rates may apply. Reply STOP to opt out, HELP for help.',
 '2026-01-01T00:00:00+00:00', 'Tidings'),
('marketing', 1,
 '{business} will text you occasional offers and news, at most a few a month. Consent is not a condition of purchase. Msg & data rates may apply. Reply STOP to opt out, HELP for help.',
 '2026-01-01T00:00:00+00:00', 'Tidings');

-- The consent ledger: append-only. Current consent per purpose is the newest event.
CREATE TABLE consent_events (
    id                  INTEGER PRIMARY KEY,
    client_id           INTEGER NOT NULL REFERENCES clients (id),
    purpose             TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
    action              TEXT NOT NULL CHECK (action IN ('granted', 'revoked')),
    channel             TEXT NOT NULL CHECK (channel IN ('front_desk_verbal', 'paper_form',
                            'web_form', 'sms_keyword', 'provider_report', 'import')),
    disclosure_text     TEXT NOT NULL,
    disclosure_version  INTEGER NOT NULL,
    recorded_by         TEXT NOT NULL,
    occurred_at         TEXT NOT NULL,      -- when the customer gave or withdrew it
    recorded_at         TEXT NOT NULL,      -- when it was entered
    evidence            TEXT,
    message_id          INTEGER
) STRICT;
CREATE INDEX consent_events_latest ON consent_events (client_id, purpose, id);
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;
