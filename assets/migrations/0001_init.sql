-- rmaboard schema, version 1.
-- Times are TEXT in RFC 3339 UTC (2026-05-04T09:30:00Z), dates TEXT YYYY-MM-DD:
-- readable in the sqlite3 shell and sortable as text.

-- Every device the shop sold, by IMEI (the policy: "we record the IMEI numbers of all
-- the products we sell").
CREATE TABLE sales (
    imei             TEXT PRIMARY KEY NOT NULL CHECK (length(imei) = 15),
    order_number     TEXT NOT NULL,
    customer_number  TEXT NOT NULL,
    customer_name    TEXT,
    customer_email   TEXT,
    customer_address TEXT,
    country          TEXT,
    model            TEXT NOT NULL,
    category         TEXT NOT NULL CHECK (category IN ('phone', 'tablet', 'accessory', 'component')),
    dispatched_on    TEXT NOT NULL
) WITHOUT ROWID;

-- RMA numbers are sequential per year and never reused, even if a case were removed.
CREATE TABLE rma_counters (
    year     INTEGER PRIMARY KEY NOT NULL,
    last_seq INTEGER NOT NULL
);

CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    rma              TEXT NOT NULL UNIQUE,
    imei             TEXT NOT NULL,
    stage            TEXT NOT NULL
                     CHECK (stage IN ('expected', 'received', 'at_manufacturer', 'inspected', 'shipped')),
    outcome          TEXT CHECK (outcome IN ('repaired', 'repaired_in_house', 'returned_unrepaired')),
    verdict          TEXT NOT NULL
                     CHECK (verdict IN ('covered', 'delivery_damage', 'expired', 'not_sold_by_us', 'not_covered', 'void')),
    -- the exclusion (accessory, component, software) or the void reason (dropped, ...)
    verdict_detail   TEXT,
    verdict_reason   TEXT NOT NULL,
    -- why the case was opened although the verdict refused it
    goodwill         TEXT,
    order_number     TEXT NOT NULL,
    customer_number  TEXT NOT NULL,
    model            TEXT NOT NULL,
    fault            TEXT NOT NULL,
    part             TEXT NOT NULL,
    tracking_in      TEXT,
    manufacturer_ref TEXT,
    tracking_out     TEXT,
    rounds           INTEGER NOT NULL DEFAULT 0,
    claimed_at       TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    stage_since      TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_imei ON cases (imei);
CREATE INDEX cases_stage ON cases (stage, stage_since);
CREATE INDEX cases_tracking_in ON cases (tracking_in) WHERE tracking_in IS NOT NULL;
CREATE INDEX cases_tracking_out ON cases (tracking_out) WHERE tracking_out IS NOT NULL;

-- Repair notes: append-only.
CREATE TABLE notes (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    at      TEXT NOT NULL,
    author  TEXT NOT NULL,
    text    TEXT NOT NULL
);
CREATE INDEX notes_case ON notes (case_id);

-- Every change: who, when, which action, which field, from what, to what. Append-only.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    at         TEXT NOT NULL,
    author     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    field      TEXT NOT NULL,
    from_value TEXT,
    to_value   TEXT
);
CREATE INDEX events_case ON events (case_id);
-- for undo: a user's own last move
CREATE INDEX events_author ON events (author, field);

CREATE TRIGGER notes_append_only_update BEFORE UPDATE ON notes
BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;
CREATE TRIGGER notes_append_only_delete BEFORE DELETE ON notes
BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Who has a board open, for the status bar ("3 at work"). Rows are refreshed while a
-- board runs and ignored once stale.
CREATE TABLE sessions (
    id        TEXT PRIMARY KEY NOT NULL,
    author    TEXT NOT NULL,
    seen_at   TEXT NOT NULL
);
