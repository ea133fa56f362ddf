-- Numbers issued before a restore replaced the database: a restore carries them here so
-- that no number is issued twice. `outbox` holds the last message id (a message's id is
-- in its Message-ID and its .eml file name); RMA numbers carry forward in rma_counters
-- and bill numbers in sqlite_sequence.
CREATE TABLE IF NOT EXISTS high_water (
    name  TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
);
