-- Search as you type over 100,000 cases: a trigram index of every case's searchable
-- text (RMA, IMEI, tracking numbers, manufacturer reference, model, fault, order and
-- customer, notes), kept current by triggers. LIKE '%text%' uses the index for three
-- characters or more.

CREATE VIRTUAL TABLE case_search USING fts5(text, tokenize = 'trigram', detail = 'none');

CREATE VIEW case_search_text (id, text) AS
SELECT c.id,
       c.rma || ' ' || c.imei || ' ' || coalesce(c.tracking_in, '') || ' '
       || coalesce(c.tracking_out, '') || ' ' || coalesce(c.manufacturer_ref, '') || ' '
       || c.model || ' ' || c.fault || ' ' || c.order_number || ' ' || c.customer_number || ' '
       || coalesce((SELECT s.customer_name FROM sales s WHERE s.imei = c.imei), '') || ' '
       || coalesce((SELECT group_concat(n.text, ' ') FROM notes n WHERE n.case_id = c.id), '')
FROM cases c;

INSERT INTO case_search (rowid, text) SELECT id, text FROM case_search_text;

CREATE TRIGGER case_search_open AFTER INSERT ON cases
BEGIN
    INSERT INTO case_search (rowid, text) SELECT id, text FROM case_search_text WHERE id = new.id;
END;

CREATE TRIGGER case_search_change
AFTER UPDATE OF tracking_in, tracking_out, manufacturer_ref, model, fault ON cases
BEGIN
    DELETE FROM case_search WHERE rowid = new.id;
    INSERT INTO case_search (rowid, text) SELECT id, text FROM case_search_text WHERE id = new.id;
END;

CREATE TRIGGER case_search_note AFTER INSERT ON notes
BEGIN
    DELETE FROM case_search WHERE rowid = new.case_id;
    INSERT INTO case_search (rowid, text) SELECT id, text FROM case_search_text WHERE id = new.case_id;
END;
