-- A person has at most one claim waiting for the same business or child, even when a form
-- is sent twice at once.
CREATE UNIQUE INDEX claims_one_pending ON claims (account_id, kind, number) WHERE status = 'pending';
