-- rmaboard schema, version 11: the accent folds of the search indexes (0007) as one
-- function call, rmaboard_fold(), which the program registers on each connection,
-- instead of 138 nested replace() calls. SQLite before 3.46 (Debian 12's sqlite3 shell,
-- Python's sqlite3 module) parses with a fixed stack and refused to open a database
-- holding the deep expression ("malformed database schema (case_search_text) - parser
-- stack overflow"). The folds are the same, so the indexes need no rebuild. Other
-- programs still read every table; changing cases or notes from them fails with "no
-- such function: rmaboard_fold" instead of leaving the search index behind.

DROP VIEW IF EXISTS case_search_text;
CREATE VIEW case_search_text (id, text) AS
SELECT id, CASE WHEN f = t THEN t ELSE t || ' ' || f END
FROM (SELECT id, t, rmaboard_fold(t) AS f
      FROM (SELECT c.id AS id,
               c.rma || ' ' || c.imei || ' ' || coalesce(c.tracking_in, '') || ' '
               || coalesce(c.tracking_out, '') || ' ' || coalesce(c.manufacturer_ref, '') || ' '
               || c.model || ' ' || c.fault || ' ' || c.order_number || ' ' || c.customer_number || ' '
               || coalesce((SELECT s.customer_name FROM sales s WHERE s.imei = c.imei), '') AS t
            FROM cases c));

DROP TRIGGER IF EXISTS note_search_add;
CREATE TRIGGER note_search_add AFTER INSERT ON notes
BEGIN
    INSERT INTO note_search (rowid, text, case_id)
    SELECT new.id, CASE WHEN f = new.text THEN f ELSE new.text || ' ' || f END, new.case_id
    FROM (SELECT rmaboard_fold(new.text) AS f);
END;
