-- A move of several cases in one command (marked cards, several keys, a parcel) is undone
-- as it was done: its events carry the id of the first event it wrote. NULL for a move of
-- one case.
ALTER TABLE events ADD COLUMN batch INTEGER;
CREATE INDEX IF NOT EXISTS events_batch ON events (batch) WHERE batch IS NOT NULL;
-- One reseller's shipments before the Shipped pane's window are counted on every reload of
-- a board showing one reseller: one range of this index, rather than all its shipments.
DROP INDEX IF EXISTS cases_customer;
CREATE INDEX IF NOT EXISTS cases_customer_since ON cases (customer_number, stage, stage_since);
