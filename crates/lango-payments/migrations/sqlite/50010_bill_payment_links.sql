-- A bill's payments are found from the bill instead of through an index on events by bill:
-- the bill names its latest payment.received event and each such event names the bill's
-- one before (bill_payment_links), so a bill's payments are a walk back from the bill.
-- Every confirmation paid for the index with a write to a page chosen by its bill (a random
-- page of a large index); the links are appended in event order, and the bill row is written
-- by the payment anyway.
ALTER TABLE bills ADD COLUMN last_payment BIGINT;
CREATE TABLE bill_payment_links (
    seq      INTEGER PRIMARY KEY,
    previous BIGINT
);
INSERT INTO bill_payment_links (seq, previous)
SELECT seq, LAG(seq) OVER (PARTITION BY order_key ORDER BY seq)
FROM events WHERE type = 'payment.received';
UPDATE bills SET last_payment = (
    SELECT MAX(seq) FROM events WHERE type = 'payment.received' AND order_key = bills.reference
);
DROP INDEX events_by_order_key;
