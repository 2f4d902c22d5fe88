-- The change events of every program writing to this database, so an open window notices a
-- write made by another process (a command-line import, a scheduled tick) and shows it. Only
-- the newest rows are kept: a window reads them within a second.
CREATE TABLE change_log (
    id      INTEGER PRIMARY KEY,
    origin  TEXT NOT NULL,      -- the process (engine instance) that wrote
    batch   TEXT NOT NULL,      -- the ChangeBatch, as JSON
    at      TEXT NOT NULL
) STRICT;
