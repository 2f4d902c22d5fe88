-- Every backup Tidings made, verified or not, so the desk can see the last good one.
CREATE TABLE backups (
    id           INTEGER PRIMARY KEY,
    path         TEXT NOT NULL,
    bytes        INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    reason       TEXT NOT NULL,           -- 'daily', 'manual', 'before_restore'
    verified     INTEGER NOT NULL CHECK (verified IN (0, 1)),
    error        TEXT
) STRICT;
CREATE INDEX backups_created ON backups (created_at);
