-- Four eyes on money moved by hand. Money a portal statement shows but the ledger lacks is
-- proposed by one finance officer and posted only when a different one approves (unless
-- Daraja's own Pull Transactions confirms the receipt); the proposal is kept with the item.
ALTER TABLE reconciliation_items ADD COLUMN proposed_by TEXT;
ALTER TABLE reconciliation_items ADD COLUMN proposed_at BIGINT;

-- A match of a receipt out of suspense, proposed by one finance officer and waiting for a
-- different one to confirm it. One proposal per receipt: a new one replaces it only when
-- its proposer withdraws it (or once it is confirmed and the receipt is matched).
CREATE TABLE suspense_proposals (
    trans_id       TEXT PRIMARY KEY REFERENCES mpesa_receipts (trans_id),
    bill_reference TEXT NOT NULL,
    reason         TEXT NOT NULL,
    proposed_by    TEXT NOT NULL,
    proposed_at    BIGINT NOT NULL
);
