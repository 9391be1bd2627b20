-- The notification outbox: written in the same transaction as the change it tells of,
-- delivered afterwards by a worker, with statuses like GOV.UK Notify's.
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    account_id      TEXT,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_account ON notifications (account_id, created_at);
CREATE INDEX notifications_recipient ON notifications (recipient, created_at);
