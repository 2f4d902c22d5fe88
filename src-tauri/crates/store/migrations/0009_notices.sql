-- Day-wide notices ("we're closed today — reply 1 to pick a new time"): what was said, to which
-- day (and staff member or hours), whether it was allowed inside quiet hours, and who sent it.
-- Each recipient's text is an ordinary message row tied to the notice, so a notice half-sent
-- when the app closes resumes from the database and never repeats.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    staff_id    INTEGER REFERENCES staff (id),
    from_time   TEXT,
    to_time     TEXT,
    body        TEXT NOT NULL,
    urgent      INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
ALTER TABLE messages ADD COLUMN notice_id INTEGER REFERENCES notices (id);
CREATE INDEX messages_notice ON messages (notice_id) WHERE notice_id IS NOT NULL;
