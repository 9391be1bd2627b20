-- FPX online banking (Malaysia's direct-debit gateway). One row per attempt: made before the
-- payer is sent to the gateway (its id is the seller exchange order number in every message),
-- then given the gateway's transaction id and debit authorisation code as notifications come.
-- `posted` goes from 0 to 1 exactly once, in the transaction that posts the payment, so the
-- direct (server-to-server) and indirect (browser) notifications, the enquiry and the
-- settlement report can all arrive, in any order and repeatedly. `settled_at` is set when the
-- gateway's settlement report shows it; only then is it settled to the agency.
CREATE TABLE fpx_payments (
    id                 TEXT PRIMARY KEY,
    bill_reference     TEXT NOT NULL REFERENCES bills (reference),
    amount             BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    bank_id            TEXT NOT NULL,
    status             TEXT NOT NULL,
    fpx_txn_id         TEXT UNIQUE,
    debit_auth_code    TEXT NOT NULL,
    posted             BIGINT NOT NULL,
    outcome            TEXT NOT NULL,
    ledger_transaction TEXT,
    settled_at         BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    posted_at          BIGINT
);
CREATE INDEX fpx_payments_bill ON fpx_payments (bill_reference, created_at);
CREATE INDEX fpx_payments_posted ON fpx_payments (posted_at);

-- Every signed notification the gateway sent (direct, indirect, or the answer to an
-- enquiry), as received, for the auditor. `outcome` is `applied`, or `review` for one about a
-- transaction Lango did not start or that does not match it: kept, never posted, until a
-- finance officer has looked (`reviewed_by`).
CREATE TABLE fpx_notifications (
    id              TEXT PRIMARY KEY,
    via             TEXT NOT NULL,
    fpx_txn_id      TEXT NOT NULL,
    seller_order_no TEXT NOT NULL,
    payment_id      TEXT NOT NULL,
    debit_auth_code TEXT NOT NULL,
    amount          TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    note            TEXT NOT NULL,
    raw             TEXT NOT NULL,
    received_at     BIGINT NOT NULL,
    reviewed_by     TEXT,
    reviewed_at     BIGINT
);
CREATE INDEX fpx_notifications_review ON fpx_notifications (outcome, received_at);
