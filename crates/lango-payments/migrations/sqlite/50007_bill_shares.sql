-- A bill whose service amount is owed to several agencies: one row per agency (the raising
-- agency's own share included) with what it is owed and what it has received so far.
-- Bills owed to one agency have no rows here.
CREATE TABLE bill_shares (
    reference   TEXT NOT NULL REFERENCES bills (reference),
    position    BIGINT NOT NULL,
    agency_code TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    paid        BIGINT NOT NULL,
    PRIMARY KEY (reference, position)
);
