-- rmaboard schema, version 8: a bill is the customs declaration (CN 23) of one parcel,
-- which may carry several devices. `bills` becomes the header (number, parcel, sender,
-- addressee, currency, place) and `bill_items` holds one row per device. Each bill
-- issued before becomes a header with its one device, worded as it was. Both tables are
-- append-only, like the bills were.

CREATE TABLE bills_new (
    number           INTEGER PRIMARY KEY AUTOINCREMENT,
    issued_at        TEXT NOT NULL,
    tracking_out     TEXT NOT NULL,
    shop_name        TEXT NOT NULL,
    -- one line each, joined by newlines
    shop_address     TEXT NOT NULL,
    shop_phone       TEXT,
    customer_name    TEXT,
    -- one line each, joined by newlines
    customer_address TEXT,
    country          TEXT,
    customer_phone   TEXT,
    currency         TEXT NOT NULL,
    -- where the declaration is signed; '' on bills from before version 8
    place            TEXT NOT NULL DEFAULT '',
    -- grams of packaging; NULL on bills from before version 8 (no weights declared)
    packaging_g      INTEGER
);

INSERT INTO bills_new (number, issued_at, tracking_out, shop_name, shop_address,
                       customer_name, customer_address, country, currency)
SELECT number, issued_at, tracking_out, shop_name, shop_address,
       customer_name, customer_address, country, currency
FROM bills;

-- The devices of the old bills wait aside while `bills` is replaced (bill_items refers
-- to the new table).
CREATE TEMP TABLE old_items AS
SELECT b.number AS bill_number, b.case_id, b.rma, b.order_number, b.model, b.imei,
       b.quantity, b.value_cents, b.description AS reason,
       coalesce((SELECT c.outcome = 'returned_unrepaired' FROM cases c WHERE c.id = b.case_id), 0)
           AS unrepaired
FROM bills b;

-- The highest number ever issued (a restore may have carried it past the last row)
-- goes with the table: dropping `bills` drops its sqlite_sequence row.
CREATE TEMP TABLE bill_seq AS
SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'bills'), 0) AS seq;

DROP TABLE bills;
ALTER TABLE bills_new RENAME TO bills;

DELETE FROM sqlite_sequence WHERE name = 'bills';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'bills', max((SELECT seq FROM temp.bill_seq),
                    coalesce((SELECT max(number) FROM bills), 0));
DROP TABLE temp.bill_seq;

CREATE TABLE bill_items (
    bill_number   INTEGER NOT NULL REFERENCES bills (number),
    -- 1, 2, ... in the order the devices are listed
    line          INTEGER NOT NULL CHECK (line >= 1),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    rma           TEXT NOT NULL,
    order_number  TEXT NOT NULL,
    model         TEXT NOT NULL,
    -- 'phone' or 'tablet'; NULL on bills from before version 8
    kind          TEXT CHECK (kind IN ('phone', 'tablet')),
    imei          TEXT NOT NULL,
    quantity      INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    net_weight_g  INTEGER CHECK (net_weight_g >= 0),
    -- the declared value in cents of the bill's currency
    value_cents   INTEGER NOT NULL CHECK (value_cents >= 0),
    hs_code       TEXT,
    origin        TEXT,
    -- why it travels: the wording for a repaired device, or for one returned unrepaired
    reason        TEXT NOT NULL,
    unrepaired    INTEGER NOT NULL DEFAULT 0 CHECK (unrepaired IN (0, 1)),
    PRIMARY KEY (bill_number, line)
) WITHOUT ROWID;

INSERT INTO bill_items (bill_number, line, case_id, rma, order_number, model, imei,
                        quantity, value_cents, reason, unrepaired)
SELECT bill_number, 1, case_id, rma, order_number, model, imei, quantity, value_cents,
       reason, unrepaired
FROM temp.old_items;
DROP TABLE temp.old_items;

CREATE INDEX bill_items_case ON bill_items (case_id, bill_number);

CREATE TRIGGER bills_append_only_update BEFORE UPDATE ON bills
BEGIN SELECT RAISE(ABORT, 'bills are append-only'); END;
CREATE TRIGGER bills_append_only_delete BEFORE DELETE ON bills
BEGIN SELECT RAISE(ABORT, 'bills are append-only'); END;
CREATE TRIGGER bill_items_append_only_update BEFORE UPDATE ON bill_items
BEGIN SELECT RAISE(ABORT, 'bills are append-only'); END;
CREATE TRIGGER bill_items_append_only_delete BEFORE DELETE ON bill_items
BEGIN SELECT RAISE(ABORT, 'bills are append-only'); END;
