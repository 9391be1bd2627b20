-- Staff answer a correction request: `corrected` or `declined` (its status), with what they
-- tell the person, who answered and when.
ALTER TABLE correction_requests ADD COLUMN answer TEXT;
ALTER TABLE correction_requests ADD COLUMN answered_by TEXT;
ALTER TABLE correction_requests ADD COLUMN answered_at BIGINT;
