-- Who drafted each message: a request's later answers are named by their author when a
-- colleague's answer would cross them. Messages drafted before this change have none
-- (NULL); the one who opened a case they are about is named for them, where known.
ALTER TABLE outbox ADD COLUMN created_by TEXT;
