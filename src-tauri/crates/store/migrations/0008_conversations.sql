-- The reply inbox: one thread per customer number (a client's, or an unknown number's), with
-- what staff need to see at a glance, and full-text search over every text.
CREATE TABLE conversations (
    id                    INTEGER PRIMARY KEY,
    phone                 TEXT NOT NULL UNIQUE,          -- the customer's number, E.164
    client_id             INTEGER REFERENCES clients (id),
    status                TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    unread                INTEGER NOT NULL DEFAULT 0,
    assignee              TEXT,
    needs_reply           INTEGER NOT NULL DEFAULT 0 CHECK (needs_reply IN (0, 1)),
    reschedule_requested  INTEGER NOT NULL DEFAULT 0 CHECK (reschedule_requested IN (0, 1)),
    possible_opt_out      INTEGER NOT NULL DEFAULT 0 CHECK (possible_opt_out IN (0, 1)),
    last_message_at       TEXT NOT NULL,
    last_preview          TEXT NOT NULL DEFAULT '',
    last_inbound_at       TEXT,
    first_staff_reply_at  TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
) STRICT;
CREATE INDEX conversations_recent ON conversations (last_message_at DESC);
-- The inbox lists read these in order and stop at the page size (no sort step).
CREATE INDEX conversations_open_list ON conversations
    (reschedule_requested DESC, last_message_at DESC, id DESC) WHERE status = 'open';
CREATE INDEX conversations_needs_reply_list ON conversations
    (reschedule_requested DESC, last_message_at DESC, id DESC) WHERE status = 'open' AND needs_reply = 1;
CREATE INDEX conversations_opt_out_list ON conversations
    (reschedule_requested DESC, last_message_at DESC, id DESC) WHERE status = 'open' AND possible_opt_out = 1;
CREATE INDEX conversations_client ON conversations (client_id);

-- Who typed a text, for texts staff wrote in the inbox.
ALTER TABLE messages ADD COLUMN sent_by TEXT;

-- A thread is every text from or to its number.
CREATE INDEX messages_thread_in ON messages (from_number, id) WHERE direction = 'inbound';
CREATE INDEX messages_thread_out ON messages (to_number, id) WHERE direction = 'outbound';

-- Threads for the replies already received.
INSERT INTO conversations (phone, client_id, unread, needs_reply, last_message_at,
                           last_preview, last_inbound_at, created_at, updated_at)
SELECT m.from_number, max(m.client_id), 0, 0, max(m.created_at),
       (SELECT body FROM messages x WHERE x.direction = 'inbound' AND x.from_number = m.from_number
        ORDER BY x.id DESC LIMIT 1),
       max(m.created_at), min(m.created_at), max(m.created_at)
FROM messages m WHERE m.direction = 'inbound' GROUP BY m.from_number;

CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN NEW.body <> '' BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (NEW.id, NEW.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) SELECT 'delete', OLD.id, OLD.body WHERE OLD.body <> '';
    INSERT INTO messages_fts (rowid, body) SELECT NEW.id, NEW.body WHERE NEW.body <> '';
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) SELECT 'delete', OLD.id, OLD.body WHERE OLD.body <> '';
END;
