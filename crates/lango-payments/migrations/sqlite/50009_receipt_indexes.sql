-- Every index on mpesa_receipts is paid for by each confirmation in the hot path. Nothing
-- looks receipts up by the account number typed, and the suspense queue only needs the
-- receipts still in suspense: a partial index, which confirmations that post to a bill skip.
DROP INDEX mpesa_receipts_bill;
DROP INDEX finance_mpesa_receipts_outcome;
CREATE INDEX finance_mpesa_receipts_suspense ON mpesa_receipts (received_at) WHERE outcome = 'suspense';
