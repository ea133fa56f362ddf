-- rmaboard schema, version 11: the accent folds of the search indexes (0007) as a chain
-- of views of 20 replace() calls each instead of one expression 138 calls deep.
-- SQLite before 3.46 (Debian 12's sqlite3 shell, Python's sqlite3 module) parses each
-- schema entry with a fixed stack and refused to open a database holding the deep one
-- ("malformed database schema (case_search_text) - parser stack overflow"). Each view
-- is parsed on its own, so the chain stays shallow. The folds and their order are the
-- same, so the indexes need no rebuild.

DROP VIEW IF EXISTS case_fold_1;
DROP VIEW IF EXISTS case_fold_2;
DROP VIEW IF EXISTS case_fold_3;
DROP VIEW IF EXISTS case_fold_4;
DROP VIEW IF EXISTS case_fold_5;
DROP VIEW IF EXISTS case_fold_6;
DROP VIEW IF EXISTS case_fold_7;
DROP VIEW IF EXISTS note_fold_1;
DROP VIEW IF EXISTS note_fold_2;
DROP VIEW IF EXISTS note_fold_3;
DROP VIEW IF EXISTS note_fold_4;
DROP VIEW IF EXISTS note_fold_5;
DROP VIEW IF EXISTS note_fold_6;
DROP VIEW IF EXISTS note_fold_7;

CREATE VIEW case_fold_1 (id, t, f) AS
SELECT id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(t, 'à', 'a'), 'á', 'a'), 'â', 'a'), 'ã', 'a'), 'ä', 'a'), 'å', 'a'), 'ā', 'a'), 'ă', 'a'), 'ą', 'a'), 'À', 'a'), 'Á', 'a'), 'Â', 'a'), 'Ã', 'a'), 'Ä', 'a'), 'Å', 'a'), 'Ā', 'a'), 'Ă', 'a'), 'Ą', 'a'), 'ç', 'c'), 'ć', 'c')
FROM (SELECT c.id AS id,
             c.rma || ' ' || c.imei || ' ' || coalesce(c.tracking_in, '') || ' '
             || coalesce(c.tracking_out, '') || ' ' || coalesce(c.manufacturer_ref, '') || ' '
             || c.model || ' ' || c.fault || ' ' || c.order_number || ' ' || c.customer_number || ' '
             || coalesce((SELECT s.customer_name FROM sales s WHERE s.imei = c.imei), '') AS t
      FROM cases c);
CREATE VIEW case_fold_2 (id, t, f) AS
SELECT id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'č', 'c'), 'Ç', 'c'), 'Ć', 'c'), 'Č', 'c'), 'ď', 'd'), 'đ', 'd'), 'Ď', 'd'), 'Đ', 'd'), 'è', 'e'), 'é', 'e'), 'ê', 'e'), 'ë', 'e'), 'ē', 'e'), 'ė', 'e'), 'ę', 'e'), 'ě', 'e'), 'È', 'e'), 'É', 'e'), 'Ê', 'e'), 'Ë', 'e')
FROM case_fold_1;
CREATE VIEW case_fold_3 (id, t, f) AS
SELECT id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'Ē', 'e'), 'Ė', 'e'), 'Ę', 'e'), 'Ě', 'e'), 'ğ', 'g'), 'Ğ', 'g'), 'ì', 'i'), 'í', 'i'), 'î', 'i'), 'ï', 'i'), 'ī', 'i'), 'ı', 'i'), 'Ì', 'i'), 'Í', 'i'), 'Î', 'i'), 'Ï', 'i'), 'Ī', 'i'), 'İ', 'i'), 'ł', 'l'), 'ľ', 'l')
FROM case_fold_2;
CREATE VIEW case_fold_4 (id, t, f) AS
SELECT id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'Ł', 'l'), 'Ľ', 'l'), 'ñ', 'n'), 'ń', 'n'), 'ň', 'n'), 'Ñ', 'n'), 'Ń', 'n'), 'Ň', 'n'), 'ò', 'o'), 'ó', 'o'), 'ô', 'o'), 'õ', 'o'), 'ö', 'o'), 'ø', 'o'), 'ō', 'o'), 'ő', 'o'), 'Ò', 'o'), 'Ó', 'o'), 'Ô', 'o'), 'Õ', 'o')
FROM case_fold_3;
CREATE VIEW case_fold_5 (id, t, f) AS
SELECT id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'Ö', 'o'), 'Ø', 'o'), 'Ō', 'o'), 'Ő', 'o'), 'ř', 'r'), 'Ř', 'r'), 'ś', 's'), 'š', 's'), 'ş', 's'), 'Ś', 's'), 'Š', 's'), 'Ş', 's'), 'ť', 't'), 'ţ', 't'), 'Ť', 't'), 'Ţ', 't'), 'ù', 'u'), 'ú', 'u'), 'û', 'u'), 'ü', 'u')
FROM case_fold_4;
CREATE VIEW case_fold_6 (id, t, f) AS
SELECT id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'ū', 'u'), 'ů', 'u'), 'ű', 'u'), 'Ù', 'u'), 'Ú', 'u'), 'Û', 'u'), 'Ü', 'u'), 'Ū', 'u'), 'Ů', 'u'), 'Ű', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'Ý', 'y'), 'Ÿ', 'y'), 'ź', 'z'), 'ż', 'z'), 'ž', 'z'), 'Ź', 'z'), 'Ż', 'z'), 'Ž', 'z')
FROM case_fold_5;
CREATE VIEW case_fold_7 (id, t, f) AS
SELECT id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'ß', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), '̀', ''), '́', ''), '̂', ''), '̃', ''), '̄', ''), '̆', ''), '̇', ''), '̈', ''), '̊', ''), '̋', ''), '̌', ''), '̧', ''), '̨', '')
FROM case_fold_6;

DROP VIEW IF EXISTS case_search_text;
CREATE VIEW case_search_text (id, text) AS
SELECT id, CASE WHEN f = t THEN t ELSE t || ' ' || f END FROM case_fold_7;

CREATE VIEW note_fold_1 (id, case_id, t, f) AS
SELECT id, case_id, text, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text, 'à', 'a'), 'á', 'a'), 'â', 'a'), 'ã', 'a'), 'ä', 'a'), 'å', 'a'), 'ā', 'a'), 'ă', 'a'), 'ą', 'a'), 'À', 'a'), 'Á', 'a'), 'Â', 'a'), 'Ã', 'a'), 'Ä', 'a'), 'Å', 'a'), 'Ā', 'a'), 'Ă', 'a'), 'Ą', 'a'), 'ç', 'c'), 'ć', 'c')
FROM notes;
CREATE VIEW note_fold_2 (id, case_id, t, f) AS
SELECT id, case_id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'č', 'c'), 'Ç', 'c'), 'Ć', 'c'), 'Č', 'c'), 'ď', 'd'), 'đ', 'd'), 'Ď', 'd'), 'Đ', 'd'), 'è', 'e'), 'é', 'e'), 'ê', 'e'), 'ë', 'e'), 'ē', 'e'), 'ė', 'e'), 'ę', 'e'), 'ě', 'e'), 'È', 'e'), 'É', 'e'), 'Ê', 'e'), 'Ë', 'e')
FROM note_fold_1;
CREATE VIEW note_fold_3 (id, case_id, t, f) AS
SELECT id, case_id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'Ē', 'e'), 'Ė', 'e'), 'Ę', 'e'), 'Ě', 'e'), 'ğ', 'g'), 'Ğ', 'g'), 'ì', 'i'), 'í', 'i'), 'î', 'i'), 'ï', 'i'), 'ī', 'i'), 'ı', 'i'), 'Ì', 'i'), 'Í', 'i'), 'Î', 'i'), 'Ï', 'i'), 'Ī', 'i'), 'İ', 'i'), 'ł', 'l'), 'ľ', 'l')
FROM note_fold_2;
CREATE VIEW note_fold_4 (id, case_id, t, f) AS
SELECT id, case_id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'Ł', 'l'), 'Ľ', 'l'), 'ñ', 'n'), 'ń', 'n'), 'ň', 'n'), 'Ñ', 'n'), 'Ń', 'n'), 'Ň', 'n'), 'ò', 'o'), 'ó', 'o'), 'ô', 'o'), 'õ', 'o'), 'ö', 'o'), 'ø', 'o'), 'ō', 'o'), 'ő', 'o'), 'Ò', 'o'), 'Ó', 'o'), 'Ô', 'o'), 'Õ', 'o')
FROM note_fold_3;
CREATE VIEW note_fold_5 (id, case_id, t, f) AS
SELECT id, case_id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'Ö', 'o'), 'Ø', 'o'), 'Ō', 'o'), 'Ő', 'o'), 'ř', 'r'), 'Ř', 'r'), 'ś', 's'), 'š', 's'), 'ş', 's'), 'Ś', 's'), 'Š', 's'), 'Ş', 's'), 'ť', 't'), 'ţ', 't'), 'Ť', 't'), 'Ţ', 't'), 'ù', 'u'), 'ú', 'u'), 'û', 'u'), 'ü', 'u')
FROM note_fold_4;
CREATE VIEW note_fold_6 (id, case_id, t, f) AS
SELECT id, case_id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'ū', 'u'), 'ů', 'u'), 'ű', 'u'), 'Ù', 'u'), 'Ú', 'u'), 'Û', 'u'), 'Ü', 'u'), 'Ū', 'u'), 'Ů', 'u'), 'Ű', 'u'), 'ý', 'y'), 'ÿ', 'y'), 'Ý', 'y'), 'Ÿ', 'y'), 'ź', 'z'), 'ż', 'z'), 'ž', 'z'), 'Ź', 'z'), 'Ż', 'z'), 'Ž', 'z')
FROM note_fold_5;
CREATE VIEW note_fold_7 (id, case_id, t, f) AS
SELECT id, case_id, t, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(f, 'ß', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), '̀', ''), '́', ''), '̂', ''), '̃', ''), '̄', ''), '̆', ''), '̇', ''), '̈', ''), '̊', ''), '̋', ''), '̌', ''), '̧', ''), '̨', '')
FROM note_fold_6;

DROP TRIGGER IF EXISTS note_search_add;
CREATE TRIGGER note_search_add AFTER INSERT ON notes
BEGIN
    INSERT INTO note_search (rowid, text, case_id)
    SELECT id, CASE WHEN f = t THEN f ELSE t || ' ' || f END, case_id
    FROM note_fold_7 WHERE id = new.id;
END;

