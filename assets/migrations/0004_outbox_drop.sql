-- A message that cannot or should not go out (no usable address; the customer was
-- told another way) may be dropped by staff: status `dropped`, with who, when and why.
-- It stays in the table, like everything that happened to a case. SQLite cannot change
-- a CHECK constraint in place, so the table is rebuilt with its rows and indexes.
CREATE TABLE outbox_new (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL CHECK (kind IN ('rma_instructions', 'shipping_notice')),
    to_address  TEXT,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'dropped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    claimed_by  TEXT,
    claimed_at  TEXT,
    sent_at     TEXT,
    -- how it left: the mail command, or the .eml file it was written to
    sent_via    TEXT,
    dropped_by  TEXT,
    dropped_at  TEXT,
    drop_reason TEXT,
    CHECK ((status = 'dropped') =
           (dropped_at IS NOT NULL AND dropped_by IS NOT NULL AND drop_reason IS NOT NULL))
);
INSERT INTO outbox_new (id, case_id, kind, to_address, subject, body, created_at, status,
                        attempts, last_error, claimed_by, claimed_at, sent_at, sent_via)
SELECT id, case_id, kind, to_address, subject, body, created_at, status,
       attempts, last_error, claimed_by, claimed_at, sent_at, sent_via
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_case ON outbox (case_id);
