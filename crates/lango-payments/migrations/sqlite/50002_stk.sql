-- M-Pesa Express (STK push) requests: a payment prompt sent to a payer's phone for a bill.
-- The row is written (status pending) before Daraja is asked, so two prompts for one bill
-- cannot race past the one-at-a-time rule; Daraja's CheckoutRequestID is filled in when
-- Daraja accepts, and the callback (or a status query) settles the row. The money itself
-- is recorded as an M-Pesa receipt (mpesa_receipts), keyed by its receipt number.
CREATE TABLE stk_requests (
    id                  TEXT PRIMARY KEY,
    checkout_request_id TEXT UNIQUE,
    merchant_request_id TEXT,
    bill_reference      TEXT NOT NULL,
    phone               TEXT NOT NULL,
    amount              BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL,
    result_code         BIGINT,
    result_desc         TEXT NOT NULL,
    receipt             TEXT,
    callback_raw        TEXT,
    created_at          BIGINT NOT NULL,
    queried_at          BIGINT,
    completed_at        BIGINT,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX stk_requests_bill ON stk_requests (bill_reference, created_at);
CREATE INDEX stk_requests_receipt ON stk_requests (receipt);

-- The payment page lists a bill's payments from its payment.received events (the one record
-- every channel leaves); the events table has no index by bill.
CREATE INDEX events_by_order_key ON events (order_key, type);
