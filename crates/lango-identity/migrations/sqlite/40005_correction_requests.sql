-- A person's request that wrong or misleading data about them be corrected (Data
-- Protection Act, 2019, s. 40): kept for staff to act on, quoted by its reference.
CREATE TABLE correction_requests (
    id          TEXT PRIMARY KEY,
    reference   TEXT NOT NULL UNIQUE,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    topic       TEXT NOT NULL,
    details     TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX correction_requests_account ON correction_requests (account_id, created_at);
CREATE INDEX correction_requests_status ON correction_requests (status, created_at);
