-- Card payments through the hosted payment page provider. One row per attempt: made before
-- the provider is called (its id is in the return URL), then given the provider's payment id.
-- `posted` goes from 0 to 1 exactly once, in the transaction that posts the payment, so the
-- return page and the provider's webhook can both arrive, in any order and repeatedly.
CREATE TABLE card_payments (
    id                  TEXT PRIMARY KEY,
    provider_payment_id TEXT UNIQUE,
    bill_reference      TEXT NOT NULL REFERENCES bills (reference),
    amount              BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL,
    failure_code        TEXT NOT NULL,
    failure_message     TEXT NOT NULL,
    next_url            TEXT NOT NULL,
    posted              BIGINT NOT NULL,
    outcome             TEXT NOT NULL,
    ledger_transaction  TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    posted_at           BIGINT
);
CREATE INDEX card_payments_bill ON card_payments (bill_reference, created_at);

-- Every webhook the provider sent, as received (for the auditor), keyed by its message id.
CREATE TABLE card_webhooks (
    message_id  TEXT PRIMARY KEY,
    event_type  TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    raw         TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

-- Refunds of a bill's payments. `amount` is split into what came out of the excess, the
-- service amount and the fee; `method` says how it goes back (`card` through the provider,
-- `payout` to the payer outside Lango). A refund that failed moved nothing and counts for
-- nothing; every other status holds its amount against the bill.
CREATE TABLE refunds (
    id                 TEXT PRIMARY KEY,
    bill_reference     TEXT NOT NULL REFERENCES bills (reference),
    agency_code        TEXT NOT NULL,
    currency           TEXT NOT NULL,
    amount             BIGINT NOT NULL,
    from_excess        BIGINT NOT NULL,
    from_service       BIGINT NOT NULL,
    from_fee           BIGINT NOT NULL,
    method             TEXT NOT NULL,
    card_payment_id    TEXT REFERENCES card_payments (id),
    provider_refund_id TEXT UNIQUE,
    status             TEXT NOT NULL,
    reason             TEXT NOT NULL,
    requested_by       TEXT NOT NULL,
    idempotency_key    TEXT,
    request_hash       TEXT NOT NULL,
    ledger_transaction TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX refunds_bill ON refunds (bill_reference, created_at);
CREATE UNIQUE INDEX refunds_idempotency ON refunds (bill_reference, idempotency_key);
CREATE INDEX refunds_status ON refunds (status, created_at);

-- How a refund's service part was shared between the agencies the bill's service amount was
-- owed to (one row for a bill owed to one agency), so each agency's revenue gives back only
-- what it received.
CREATE TABLE refund_shares (
    refund_id   TEXT NOT NULL REFERENCES refunds (id),
    agency_code TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    PRIMARY KEY (refund_id, agency_code)
);
