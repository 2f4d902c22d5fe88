-- Calendar feeds: a booking system's ICS address or a folder it drops CSV exports into, read
-- on a schedule through the same importer as a file. An address's secret part lives in the OS
-- keyring (account "feed-<id>"), never here: `shown` hides it.
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('ics_url', 'csv_folder')),
    name          TEXT NOT NULL,          -- what the desk calls it ("Google Calendar")
    shown         TEXT NOT NULL,          -- the address with its secret part hidden, or the folder
    folder        TEXT,                   -- csv_folder: the folder (not a secret)
    created_at    TEXT NOT NULL,
    last_read_at  TEXT,                   -- the last read, whether it worked or not
    last_ok_at    TEXT,                   -- the last read that worked
    last_result   TEXT,                   -- JSON: what the last read that worked changed
    last_error    TEXT,                   -- why the last read failed; NULL when it worked
    CHECK ((kind = 'csv_folder') = (folder IS NOT NULL))
) STRICT;

-- Which feed keeps an appointment up to date, and why a feed cancelled it ("removed from
-- Google Calendar"). Removing a feed keeps its appointments (feed_id is cleared).
ALTER TABLE appointments ADD COLUMN feed_id INTEGER REFERENCES feeds (id);
ALTER TABLE appointments ADD COLUMN status_note TEXT;
CREATE INDEX appointments_feed ON appointments (feed_id, starts_at) WHERE feed_id IS NOT NULL;
