-- A text whose send came back without a clear answer (a timeout after connecting, a cut
-- connection, an error on the provider's side), or that a stopped process left claimed, stays
-- 'sending' until the provider's own records say what happened. unknown_since_ms is when
-- that question was first asked (the computer's real clock, Unix milliseconds): the provider's
-- list may lag, so "not there" only counts once it has had time to show the text.
ALTER TABLE messages ADD COLUMN unknown_since_ms INTEGER;
