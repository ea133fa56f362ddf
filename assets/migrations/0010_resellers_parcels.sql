-- rmaboard schema, version 10: resellers and parcels.

-- The reseller's phone, when the sales CSV has a `customer_phone` column. (The runner
-- skips an ADD COLUMN whose column is there already: SQLite has no IF NOT EXISTS for it.)
ALTER TABLE sales ADD COLUMN customer_phone TEXT;

-- A reseller is a customer number of the sales registry: its cases are found by that
-- number (its sales by the index 0010 made).
CREATE INDEX IF NOT EXISTS cases_customer ON cases (customer_number, stage);

-- One message may be about several cases: the RMA instructions of a batch of devices
-- from one reseller, the shipping notice of a parcel. `outbox.case_id` stays the first
-- of them; this table lists every one, in the order the message names them. No foreign
-- key to the outbox: a later migration may rebuild that table, as 0004 did.
CREATE TABLE IF NOT EXISTS message_cases (
    message_id INTEGER NOT NULL,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (message_id, case_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_cases_case ON message_cases (case_id);

INSERT OR IGNORE INTO message_cases (message_id, case_id, position)
SELECT id, case_id, 0 FROM outbox WHERE case_id IS NOT NULL;
