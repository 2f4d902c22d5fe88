-- Every outbound text goes through one outbox. A text sent at once outside any plan (a staff
-- answer or update, a keyword confirmation or holding reply, a test text) keeps what it is
-- here, so a retry is judged as that kind even after its reason changed to "will retry: …".
ALTER TABLE messages ADD COLUMN direct_kind TEXT;
UPDATE messages SET direct_kind = reason
 WHERE direction = 'outbound' AND rule_id IS NULL AND notice_id IS NULL AND follow_up = 0
   AND automated = 0 AND reason IN ('staff_reply', 'status_update', 'test_text',
       'opt_out_confirmation', 'opt_in_confirmation', 'help_reply', 'confirmation_reply',
       'reschedule_reply', 'holding_reply');
