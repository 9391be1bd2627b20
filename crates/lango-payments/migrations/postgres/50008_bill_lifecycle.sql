-- When an unpaid bill stops taking money (end of its expiry day, East Africa Time); NULL for
-- bills that do not expire.
ALTER TABLE bills ADD COLUMN expires_at BIGINT;
CREATE INDEX bills_expiry ON bills (status, expires_at);
