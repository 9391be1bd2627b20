-- Every M-Pesa C2B confirmation as received (raw body kept for the auditor). The TransID is
-- the key: Safaricom retries callbacks, and a repeated TransID is never posted twice.
CREATE TABLE mpesa_receipts (
    trans_id           TEXT PRIMARY KEY,
    bill_reference     TEXT NOT NULL,
    amount             BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    trans_time         BIGINT,
    raw                TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    ledger_transaction TEXT,
    received_at        BIGINT NOT NULL,
    verified_at        BIGINT
);
CREATE INDEX mpesa_receipts_bill ON mpesa_receipts (bill_reference);
