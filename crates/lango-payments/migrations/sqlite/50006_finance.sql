-- Finance: the revenue dashboard reads the ledger by transaction time, the suspense queue
-- reads receipts held in suspense oldest first, the export reads receipts (M-Pesa by the
-- time they arrived, cards by the time they were posted).
CREATE INDEX finance_ledger_transactions_at ON ledger_transactions (created_at);
CREATE INDEX finance_mpesa_receipts_outcome ON mpesa_receipts (outcome, received_at);
CREATE INDEX finance_mpesa_receipts_received ON mpesa_receipts (received_at);
CREATE INDEX finance_card_payments_posted ON card_payments (posted_at);

-- A receipt finance staff matched out of suspense to a bill: who, when, why, the suspense
-- posting it undid, and the two ledger transactions the match made (the reversal of that
-- posting, then the bill's posting, which becomes the receipt's `ledger_transaction`).
-- The key makes a second match of the same receipt impossible.
CREATE TABLE suspense_matches (
    trans_id             TEXT PRIMARY KEY REFERENCES mpesa_receipts (trans_id),
    bill_reference       TEXT NOT NULL REFERENCES bills (reference),
    reason               TEXT NOT NULL,
    matched_by           TEXT NOT NULL,
    matched_at           BIGINT NOT NULL,
    suspense_transaction TEXT NOT NULL REFERENCES ledger_transactions (id),
    reversal_transaction TEXT NOT NULL UNIQUE REFERENCES ledger_transactions (id),
    posting_transaction  TEXT NOT NULL UNIQUE REFERENCES ledger_transactions (id)
);
CREATE INDEX suspense_matches_bill ON suspense_matches (bill_reference);
