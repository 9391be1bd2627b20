-- When each day's digitisation snapshot was last taken (unix ms): a node refreshes the
-- day's snapshot when it is missing or older than a few minutes, whichever node that is.
ALTER TABLE insight_digitisation ADD COLUMN taken_at BIGINT NOT NULL DEFAULT 0;
