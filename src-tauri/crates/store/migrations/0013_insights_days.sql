-- Insights keeps each closed business day's totals, so a year is read as 365 rows instead of a
-- million texts (benches/insights.rs). A day is worked out again whenever anything it was
-- counted from changes: the triggers below note the UTC day of every such change in
-- insights_dirty, and Insights drops the business days those touch before it reads. The
-- business day a total belongs to is Tidings' to decide (it knows the time zone), so these
-- tables only hold what the engine wrote.
CREATE TABLE insights_days (
    day                    TEXT PRIMARY KEY,     -- business-local YYYY-MM-DD
    sent                   INTEGER NOT NULL,
    delivered              INTEGER NOT NULL,
    failed                 INTEGER NOT NULL,
    filtered               INTEGER NOT NULL,
    reminders              INTEGER NOT NULL,
    replied                INTEGER NOT NULL,
    asked                  INTEGER NOT NULL,
    confirmed              INTEGER NOT NULL,
    reschedule_requested   INTEGER NOT NULL,
    attended_or_missed     INTEGER NOT NULL,
    attended               INTEGER NOT NULL,
    happened_reminded      INTEGER NOT NULL,     -- appointments that started that day ...
    no_show_reminded       INTEGER NOT NULL,
    happened_not_reminded  INTEGER NOT NULL,
    no_show_not_reminded   INTEGER NOT NULL,
    conversations          INTEGER NOT NULL,     -- customer texts that started a conversation
    unanswered             INTEGER NOT NULL,     -- ... of those, no staff text since
    response_seconds       BLOB NOT NULL,        -- seconds to each staff answer, u32 LE each
    follow_ups             INTEGER NOT NULL,     -- "how did it go?" texts sent that day ...
    follow_up_answers      INTEGER NOT NULL,     -- ... answered with a rating or YES/NO,
    follow_up_poor         INTEGER NOT NULL,     -- ... of those 1, 2 or NO,
    ratings                INTEGER NOT NULL,     -- ... of those a number 1-5,
    rating_sum             INTEGER NOT NULL,     -- ... adding up to this
    computed_at            TEXT NOT NULL
) STRICT;
CREATE TABLE insights_day_reasons (
    day     TEXT NOT NULL REFERENCES insights_days (day) ON DELETE CASCADE,
    reason  TEXT NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (day, reason)
) STRICT, WITHOUT ROWID;
-- Reminders sent that day per rule and template version (0: none), for comparing them.
CREATE TABLE insights_day_reminders (
    day                   TEXT NOT NULL REFERENCES insights_days (day) ON DELETE CASCADE,
    rule_id               INTEGER NOT NULL,
    template_version_id   INTEGER NOT NULL,
    sent                  INTEGER NOT NULL,
    replied               INTEGER NOT NULL,
    asked                 INTEGER NOT NULL,
    confirmed             INTEGER NOT NULL,
    reschedule_requested  INTEGER NOT NULL,
    PRIMARY KEY (day, rule_id, template_version_id)
) STRICT, WITHOUT ROWID;
-- UTC days (YYYY-MM-DD) touched since Insights last looked.
CREATE TABLE insights_dirty (utc_day TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;

-- A text's day (sent time), and for a reminder the day of its appointment (reminded or not).
-- Updates note only real changes: a delivery poll rewriting the same status marks nothing.
CREATE TRIGGER insights_message_insert AFTER INSERT ON messages BEGIN
    INSERT OR IGNORE INTO insights_dirty SELECT substr(NEW.sent_at, 1, 10) WHERE NEW.sent_at IS NOT NULL;
    INSERT OR IGNORE INTO insights_dirty SELECT substr(a.starts_at, 1, 10) FROM appointments a
        WHERE NEW.rule_id IS NOT NULL AND a.id = NEW.appointment_id;
END;
CREATE TRIGGER insights_message_update AFTER UPDATE OF sent_at, status, provider_id, error_code,
    reason, rule_id, appointment_id, template_version_id, replied_at, needs_answer, answered_at,
    direction, follow_up ON messages
    WHEN OLD.sent_at IS NOT NEW.sent_at OR OLD.status IS NOT NEW.status
      OR OLD.provider_id IS NOT NEW.provider_id OR OLD.error_code IS NOT NEW.error_code
      OR OLD.reason IS NOT NEW.reason OR OLD.rule_id IS NOT NEW.rule_id
      OR OLD.appointment_id IS NOT NEW.appointment_id
      OR OLD.template_version_id IS NOT NEW.template_version_id
      OR OLD.replied_at IS NOT NEW.replied_at OR OLD.needs_answer IS NOT NEW.needs_answer
      OR OLD.answered_at IS NOT NEW.answered_at OR OLD.direction IS NOT NEW.direction
      OR OLD.follow_up IS NOT NEW.follow_up BEGIN
    INSERT OR IGNORE INTO insights_dirty SELECT substr(OLD.sent_at, 1, 10) WHERE OLD.sent_at IS NOT NULL;
    INSERT OR IGNORE INTO insights_dirty SELECT substr(NEW.sent_at, 1, 10) WHERE NEW.sent_at IS NOT NULL;
    INSERT OR IGNORE INTO insights_dirty SELECT substr(a.starts_at, 1, 10) FROM appointments a
        WHERE (OLD.rule_id IS NOT NULL AND a.id = OLD.appointment_id)
           OR (NEW.rule_id IS NOT NULL AND a.id = NEW.appointment_id);
END;
CREATE TRIGGER insights_message_delete AFTER DELETE ON messages BEGIN
    INSERT OR IGNORE INTO insights_dirty SELECT substr(OLD.sent_at, 1, 10) WHERE OLD.sent_at IS NOT NULL;
    INSERT OR IGNORE INTO insights_dirty SELECT substr(a.starts_at, 1, 10) FROM appointments a
        WHERE OLD.rule_id IS NOT NULL AND a.id = OLD.appointment_id;
END;

-- An appointment's day (no-shows), and the days its reminders and follow-ups were sent (their
-- outcomes and answers).
CREATE TRIGGER insights_appointment_insert AFTER INSERT ON appointments BEGIN
    INSERT OR IGNORE INTO insights_dirty VALUES (substr(NEW.starts_at, 1, 10));
END;
CREATE TRIGGER insights_appointment_update AFTER UPDATE OF status, starts_at, feedback
    ON appointments
    WHEN OLD.status IS NOT NEW.status OR OLD.starts_at IS NOT NEW.starts_at
      OR OLD.feedback IS NOT NEW.feedback BEGIN
    INSERT OR IGNORE INTO insights_dirty VALUES (substr(OLD.starts_at, 1, 10));
    INSERT OR IGNORE INTO insights_dirty VALUES (substr(NEW.starts_at, 1, 10));
    INSERT OR IGNORE INTO insights_dirty SELECT substr(m.sent_at, 1, 10) FROM messages m
        WHERE m.appointment_id = NEW.id AND (m.rule_id IS NOT NULL OR m.follow_up = 1)
          AND m.sent_at IS NOT NULL;
END;
CREATE TRIGGER insights_appointment_delete AFTER DELETE ON appointments BEGIN
    INSERT OR IGNORE INTO insights_dirty VALUES (substr(OLD.starts_at, 1, 10));
END;

-- Whether a rule asks YES/NO changes the confirmation rate of every day it sent on.
CREATE TRIGGER insights_rule_update AFTER UPDATE OF asks_confirmation ON reminder_rules
    WHEN OLD.asks_confirmation IS NOT NEW.asks_confirmation BEGIN
    DELETE FROM insights_days;
END;
CREATE TRIGGER insights_rule_delete AFTER DELETE ON reminder_rules BEGIN
    DELETE FROM insights_days;
END;

-- Two indexes earlier schemas made twice: messages_due is (status, send_at) too, and
-- messages_appointment_reminders starts with appointment_id.
DROP INDEX messages_by_status_send_at;
DROP INDEX messages_appointment;
-- A day's follow-ups are read without visiting every text of the day.
CREATE INDEX messages_follow_ups ON messages (sent_at, status, provider_id, appointment_id)
    WHERE direction = 'outbound' AND follow_up = 1;
