-- rmaboard schema, version 9.
-- Customers' mail, brought in by `inbox import`: requests (the policy's "defective
-- device" e-mail, waiting for the shop's answer within 48 hours) and the customers'
-- confirmations of the parcel they sent, with its tracking number.

-- One row per request mail. The Message-ID (or, for a mail without one, a hash of its
-- bytes) makes a second import of the same mail a no-op.
CREATE TABLE IF NOT EXISTS requests (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    -- the mail's Date, else the file's time
    received_at     TEXT NOT NULL,
    from_address    TEXT,
    from_name       TEXT,
    subject         TEXT NOT NULL,
    -- the plain text (an HTML-only mail turned to text)
    body            TEXT NOT NULL,
    -- matched against the sales registry: from the text, else the sender's address
    customer_number TEXT,
    -- the file it was read from
    source          TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    imported_by     TEXT NOT NULL,
    -- the first answer stops the 48-hour clock: who and when
    answer          TEXT CHECK (answer IN ('opened', 'refused', 'asked')),
    answered_at     TEXT,
    answered_by     TEXT,
    refusal_reason  TEXT
                    CHECK (refusal_reason IN ('not_sold_by_us', 'expired', 'not_covered', 'void', 'not_a_defect')),
    -- the earlier request this mail replies to (the customer answering a question)
    follows         INTEGER REFERENCES requests (id),
    CHECK ((answer IS NULL) = (answered_at IS NULL) AND (answer IS NULL) = (answered_by IS NULL)),
    CHECK (refusal_reason IS NULL OR answer = 'refused')
);
-- open: not answered, or only asked a question (the clock stopped; the request still
-- waits for cases or a refusal)
CREATE INDEX IF NOT EXISTS requests_open ON requests (received_at)
    WHERE answer IS NULL OR answer = 'asked';
CREATE INDEX IF NOT EXISTS requests_received ON requests (received_at);

-- The IMEIs found in a request's text (Luhn-checked), in the order written.
CREATE TABLE IF NOT EXISTS request_imeis (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    imei       TEXT NOT NULL CHECK (length(imei) = 15),
    position   INTEGER NOT NULL,
    PRIMARY KEY (request_id, imei)
) WITHOUT ROWID;

-- Photos and other attachments, saved once in the attachments folder under a name made
-- of the request and the content's hash (`file`, relative to the folder).
CREATE TABLE IF NOT EXISTS attachments (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size >= 0),
    sha256     TEXT NOT NULL,
    file       TEXT NOT NULL,
    UNIQUE (request_id, sha256)
);

-- A customer's mail naming RMA numbers and the tracking number of the parcel: a row per
-- case it names (a reseller sends several devices in one parcel).
CREATE TABLE IF NOT EXISTS confirmations (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    received_at TEXT NOT NULL,
    tracking    TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    UNIQUE (message_id, case_id)
);
CREATE INDEX IF NOT EXISTS confirmations_case ON confirmations (case_id);

-- The request a case was opened from, if any.
CREATE TABLE IF NOT EXISTS request_cases (
    case_id    INTEGER PRIMARY KEY NOT NULL REFERENCES cases (id),
    request_id INTEGER NOT NULL REFERENCES requests (id)
);
CREATE INDEX IF NOT EXISTS request_cases_request ON request_cases (request_id);

-- A request's customer is matched by number or by address against the registry.
CREATE INDEX IF NOT EXISTS sales_customer_number ON sales (customer_number);
CREATE INDEX IF NOT EXISTS sales_customer_email ON sales (customer_email COLLATE NOCASE)
    WHERE customer_email IS NOT NULL;

-- The kinds of customer message. A table rather than a CHECK: SQLite cannot change a
-- CHECK in place, while a new kind here is one INSERT in a later migration.
CREATE TABLE IF NOT EXISTS message_kinds (
    kind TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO message_kinds (kind) VALUES
    ('rma_instructions'), ('shipping_notice'), ('request_refusal'), ('request_question');

-- Answers to a request are about the request (a refusal or a question has no case; the
-- RMA instructions for several devices are one message) and are threaded under the
-- customer's mail. So the outbox gets an optional request, the threading headers, an
-- optional case, and its kind from `message_kinds`; the table is rebuilt with its rows
-- and indexes, as SQLite cannot change a column's constraints in place.
DROP TABLE IF EXISTS outbox_new;
CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER REFERENCES cases (id),
    kind             TEXT NOT NULL REFERENCES message_kinds (kind),
    to_address       TEXT,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'dropped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    claimed_by       TEXT,
    claimed_at       TEXT,
    sent_at          TEXT,
    -- how it left: the mail command, or the .eml file it was written to
    sent_via         TEXT,
    dropped_by       TEXT,
    dropped_at       TEXT,
    drop_reason      TEXT,
    request_id       INTEGER REFERENCES requests (id),
    -- the customer's Message-ID this answers (In-Reply-To), and the References chain
    in_reply_to      TEXT,
    reply_references TEXT,
    CHECK ((status = 'dropped') =
           (dropped_at IS NOT NULL AND dropped_by IS NOT NULL AND drop_reason IS NOT NULL)),
    CHECK (case_id IS NOT NULL OR request_id IS NOT NULL)
);
INSERT INTO outbox_new (id, case_id, kind, to_address, subject, body, created_at, status,
                        attempts, last_error, claimed_by, claimed_at, sent_at, sent_via,
                        dropped_by, dropped_at, drop_reason)
SELECT id, case_id, kind, to_address, subject, body, created_at, status,
       attempts, last_error, claimed_by, claimed_at, sent_at, sent_via,
       dropped_by, dropped_at, drop_reason
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status, id);
CREATE INDEX IF NOT EXISTS outbox_case ON outbox (case_id);
CREATE INDEX IF NOT EXISTS outbox_request ON outbox (request_id) WHERE request_id IS NOT NULL;
