-- The exchange log: every outbound webhook attempt and every call by an agency system,
-- hash-chained like the audit log so anyone can check nothing was altered or removed.
CREATE TABLE exchange_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    subject   TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
