-- A move of several cases in one command (marked cards, several keys, a parcel) is undone
-- as it was done: its events carry the id of the first event it wrote. NULL for a move of
-- one case.
ALTER TABLE events ADD COLUMN batch INTEGER;
CREATE INDEX IF NOT EXISTS events_batch ON events (batch) WHERE batch IS NOT NULL;
