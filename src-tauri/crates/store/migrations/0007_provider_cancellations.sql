-- Reminders handed to the provider ahead of time (DESIGN invariant 6) must be cancelled there
-- whenever anything changes. Every path that takes such a message out of
-- 'scheduled_at_provider' without it having been sent (a reschedule, a cancellation, an
-- opt-out, a rule change) queues the provider-side cancel here, in the same transaction; the
-- dispatcher works through the queue before it sends anything else.
CREATE TABLE provider_cancellations (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES messages (id),
    provider_id  TEXT NOT NULL,
    queued_at    TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    done_at      TEXT,
    outcome      TEXT              -- 'cancelled', 'already_sent', or the last error
) STRICT;
CREATE INDEX provider_cancellations_pending ON provider_cancellations (done_at);

CREATE TRIGGER messages_cancel_at_provider
AFTER UPDATE OF status ON messages
WHEN OLD.status = 'scheduled_at_provider'
 AND NEW.status IN ('cancelled', 'suppressed')
 AND OLD.provider_id IS NOT NULL
BEGIN
    INSERT INTO provider_cancellations (message_id, provider_id, queued_at)
    VALUES (OLD.id, OLD.provider_id, NEW.updated_at);
END;
