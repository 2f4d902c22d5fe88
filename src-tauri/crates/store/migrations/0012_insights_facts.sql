-- Facts Insights needs, kept as texts are written instead of worked out again for every view:
-- when a reminder was answered (within 48 hours), whether a customer's text needed a staff
-- answer (the first since staff last wrote), and when staff answered it.
ALTER TABLE messages ADD COLUMN replied_at TEXT;
ALTER TABLE messages ADD COLUMN needs_answer INTEGER NOT NULL DEFAULT 0 CHECK (needs_answer IN (0, 1));
ALTER TABLE messages ADD COLUMN answered_at TEXT;

UPDATE messages AS m SET replied_at = (
    SELECT min(i.sent_at) FROM messages i
    WHERE i.direction = 'inbound' AND i.client_id = m.client_id AND i.sent_at > m.sent_at
      AND i.sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', m.sent_at, '+48 hours'))
WHERE m.direction = 'outbound' AND m.rule_id IS NOT NULL AND m.sent_at IS NOT NULL;

UPDATE messages AS i SET needs_answer = NOT EXISTS (
    SELECT 1 FROM messages p WHERE p.direction = 'inbound'
      AND p.from_number = i.from_number AND p.sent_at < i.sent_at
      AND p.sent_at >= coalesce((
        SELECT max(y.sent_at) FROM messages y
        WHERE y.direction = 'outbound' AND y.to_number = i.from_number
          AND y.sent_by IS NOT NULL AND y.sent_at < i.sent_at), '0'))
WHERE i.direction = 'inbound';

UPDATE messages AS i SET answered_at = (
    SELECT min(x.sent_at) FROM messages x
    WHERE x.direction = 'outbound' AND x.to_number = i.from_number
      AND x.sent_by IS NOT NULL AND x.notice_id IS NULL AND x.appointment_id IS NULL
      AND x.sent_at >= i.sent_at)
WHERE i.direction = 'inbound' AND i.needs_answer = 1;

DROP INDEX messages_outbound_sent;
CREATE INDEX messages_outbound_sent ON messages
    (sent_at, status, provider_id, error_code, rule_id, appointment_id, template_version_id, replied_at)
    WHERE direction = 'outbound';
DROP INDEX messages_inbound_sent;
CREATE INDEX messages_inbound_sent ON messages (sent_at, from_number, needs_answer, answered_at)
    WHERE direction = 'inbound';
