-- Sending for real: attempts per message (retries are bounded), the number a message was
-- claimed against and when, and a client's number the carrier says cannot receive texts.
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN claimed_at TEXT;
ALTER TABLE messages ADD COLUMN error_message TEXT;
ALTER TABLE clients ADD COLUMN unreachable_reason TEXT;
-- The dispatcher's queues: due work, and sent texts still waiting for a final status.
CREATE INDEX messages_by_status_send_at ON messages (status, send_at);
