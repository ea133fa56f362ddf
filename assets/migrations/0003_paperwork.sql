-- rmaboard schema, version 3: the paperwork a case produces.

-- Customs repair bills, one per shipment. The number is the row id: AUTOINCREMENT
-- never hands out a number twice, even after a row were removed. Everything printed on
-- the bill is kept as it was on the day of shipping, so a reprint shows what the
-- parcel carried.
CREATE TABLE bills (
    number           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    issued_at        TEXT NOT NULL,
    rma              TEXT NOT NULL,
    order_number     TEXT NOT NULL,
    model            TEXT NOT NULL,
    imei             TEXT NOT NULL,
    tracking_out     TEXT NOT NULL,
    customer_name    TEXT,
    customer_address TEXT,
    country          TEXT,
    shop_name        TEXT NOT NULL,
    shop_address     TEXT NOT NULL,
    description      TEXT NOT NULL,
    quantity         INTEGER NOT NULL DEFAULT 1,
    -- the declared value in cents of `currency`
    value_cents      INTEGER NOT NULL CHECK (value_cents >= 0),
    currency         TEXT NOT NULL
);
CREATE INDEX bills_case ON bills (case_id);

CREATE TRIGGER bills_append_only_update BEFORE UPDATE ON bills
BEGIN SELECT RAISE(ABORT, 'bills are append-only'); END;
CREATE TRIGGER bills_append_only_delete BEFORE DELETE ON bills
BEGIN SELECT RAISE(ABORT, 'bills are append-only'); END;

-- Messages to customers, drafted when a case is opened (RMA instructions) and shipped
-- (shipping notice). `pending` waits to be sent (after a failure too, with the error);
-- `sending` is claimed by one sender, so no other sends it again; `sent` is done.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL CHECK (kind IN ('rma_instructions', 'shipping_notice')),
    to_address  TEXT,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    claimed_by  TEXT,
    claimed_at  TEXT,
    sent_at     TEXT,
    -- how it left: the mail command, or the .eml file it was written to
    sent_via    TEXT
);
CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_case ON outbox (case_id);
