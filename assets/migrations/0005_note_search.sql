-- Each note is indexed on its own. Before, a new note re-indexed the text of every note
-- of its case, under the write lock: a note on a case with thousands of them took
-- seconds. Now a note costs the same whatever came before it.

-- IF EXISTS throughout: a database whose version number was set back by hand may have
-- parts of this already.
DROP TRIGGER IF EXISTS case_search_note;

-- The case's own text, without its notes; the triggers on cases read this view.
DROP VIEW IF EXISTS case_search_text;
CREATE VIEW case_search_text (id, text) AS
SELECT c.id,
       c.rma || ' ' || c.imei || ' ' || coalesce(c.tracking_in, '') || ' '
       || coalesce(c.tracking_out, '') || ' ' || coalesce(c.manufacturer_ref, '') || ' '
       || c.model || ' ' || c.fault || ' ' || c.order_number || ' ' || c.customer_number || ' '
       || coalesce((SELECT s.customer_name FROM sales s WHERE s.imei = c.imei), '')
FROM cases c;

DELETE FROM case_search;
INSERT INTO case_search (rowid, text) SELECT id, text FROM case_search_text;

-- Notes are append-only: one row per note, found by its case.
DROP TRIGGER IF EXISTS note_search_add;
DROP TABLE IF EXISTS note_search;
CREATE VIRTUAL TABLE note_search USING fts5(
    text, case_id UNINDEXED, tokenize = 'trigram', detail = 'none'
);
INSERT INTO note_search (rowid, text, case_id) SELECT id, text, case_id FROM notes;

CREATE TRIGGER note_search_add AFTER INSERT ON notes
BEGIN
    INSERT INTO note_search (rowid, text, case_id) VALUES (new.id, new.text, new.case_id);
END;
