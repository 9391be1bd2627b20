-- Settlement: one batch per agency, currency and East Africa Time day, paying out the
-- agency's share of receipts reconciliation has verified. Each receipt's share is settled
-- once: the item's key is the receipt (channel and id) and the revenue account it credited.
CREATE TABLE settlement_batches (
    id                 TEXT PRIMARY KEY,
    agency_code        TEXT NOT NULL,
    currency           TEXT NOT NULL,
    value_date         TEXT NOT NULL,
    amount             BIGINT NOT NULL,
    receipts           BIGINT NOT NULL,
    ledger_transaction TEXT,
    created_by         TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE UNIQUE INDEX settlement_batches_day ON settlement_batches (agency_code, currency, value_date);
CREATE INDEX settlement_batches_date ON settlement_batches (value_date);

CREATE TABLE settlement_items (
    channel          TEXT NOT NULL,
    receipt          TEXT NOT NULL,
    account          TEXT NOT NULL,
    batch_id         TEXT NOT NULL REFERENCES settlement_batches (id),
    agency_code      TEXT NOT NULL,
    currency         TEXT NOT NULL,
    bill_reference   TEXT NOT NULL,
    agency_reference TEXT NOT NULL,
    paid_at          BIGINT NOT NULL,
    amount           BIGINT NOT NULL,
    PRIMARY KEY (channel, receipt, account)
);
CREATE INDEX settlement_items_batch ON settlement_items (batch_id);
