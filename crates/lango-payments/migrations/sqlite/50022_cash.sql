-- Cash taken at the counter of a service centre. Each counter has one till
-- (`{centre}/{counter}`); a till session runs from its opening (explicit, or the first
-- receipt) to its count and close. Every receipt is posted to the ledger through the
-- `cash` collection account in the same transaction as its row here.
CREATE TABLE cash_tills (
    id         TEXT PRIMARY KEY,
    centre     TEXT NOT NULL,
    counter    TEXT NOT NULL,
    currency   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE cash_sessions (
    id             TEXT PRIMARY KEY,
    till           TEXT NOT NULL REFERENCES cash_tills (id),
    day            TEXT NOT NULL,
    opened_by      TEXT NOT NULL,
    opened_at      INTEGER NOT NULL,
    closed_by      TEXT,
    closed_by_name TEXT,
    closed_at      INTEGER,
    expected       INTEGER,
    counted        INTEGER,
    difference     INTEGER,
    reason         TEXT
);
-- At most one open session a till.
CREATE UNIQUE INDEX cash_sessions_open ON cash_sessions (till) WHERE closed_at IS NULL;
CREATE INDEX cash_sessions_closed ON cash_sessions (closed_at);

CREATE TABLE cash_receipts (
    number             TEXT PRIMARY KEY,
    session_id         TEXT NOT NULL REFERENCES cash_sessions (id),
    till               TEXT NOT NULL,
    bill_reference     TEXT NOT NULL,
    amount             INTEGER NOT NULL,
    currency           TEXT NOT NULL,
    balance_after      INTEGER NOT NULL,
    status_after       TEXT NOT NULL,
    staff              TEXT NOT NULL,
    -- The receipt form's one-time token: a form sent twice posts once.
    form_key           TEXT NOT NULL UNIQUE,
    ledger_transaction TEXT NOT NULL REFERENCES ledger_transactions (id),
    created_at         INTEGER NOT NULL
);
CREATE INDEX cash_receipts_session ON cash_receipts (session_id, created_at);
