-- Bills: what a payer owes an agency (service amount) and the platform (fee), in minor units.
CREATE TABLE bills (
    reference        TEXT PRIMARY KEY,
    agency_code      TEXT NOT NULL,
    service_code     TEXT NOT NULL,
    agency_reference TEXT NOT NULL,
    description      TEXT NOT NULL,
    payer_name       TEXT NOT NULL,
    payer_phone      TEXT NOT NULL,
    payer_email      TEXT NOT NULL,
    currency         TEXT NOT NULL,
    service_amount   BIGINT NOT NULL,
    fee              BIGINT NOT NULL,
    service_paid     BIGINT NOT NULL,
    fee_paid         BIGINT NOT NULL,
    excess           BIGINT NOT NULL,
    status           TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX bills_agency ON bills (agency_code, created_at);

-- Idempotency keys of POST /api/v1/bills: the same key and body give the same bill.
CREATE TABLE bill_requests (
    agency_code  TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    reference    TEXT NOT NULL REFERENCES bills (reference),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (agency_code, key)
);

-- The double-entry ledger: immutable entries grouped in transactions that balance to zero
-- per currency; balances kept beside them and checked by `lango ledger verify`.
CREATE TABLE ledger_transactions (
    id         TEXT PRIMARY KEY,
    memo       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE ledger_entries (
    transaction_id TEXT NOT NULL REFERENCES ledger_transactions (id),
    line           BIGINT NOT NULL,
    account        TEXT NOT NULL,
    currency       TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    PRIMARY KEY (transaction_id, line)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account);
CREATE TABLE ledger_balances (
    account  TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    balance  BIGINT NOT NULL
);
