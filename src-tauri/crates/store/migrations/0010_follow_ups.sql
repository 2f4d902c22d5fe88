-- Post-visit follow-ups: which texts ask how a visit went, and the answer on the appointment.
ALTER TABLE messages ADD COLUMN follow_up INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1));
ALTER TABLE appointments ADD COLUMN feedback TEXT;          -- '1'…'5', 'yes' or 'no'
ALTER TABLE appointments ADD COLUMN feedback_at TEXT;
