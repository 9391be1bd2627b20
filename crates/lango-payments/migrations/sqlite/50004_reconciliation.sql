-- Reconciliation: each comparison of M-Pesa's own record (a portal statement, or a Pull
-- Transactions sweep) with the receipts Lango holds, and what it found. A statement file is
-- imported once: its SHA-256 names the run it made.
CREATE TABLE reconciliation_runs (
    id                   TEXT PRIMARY KEY,
    source               TEXT NOT NULL,
    file_name            TEXT NOT NULL,
    file_sha256          TEXT,
    period_from          BIGINT,
    period_to            BIGINT,
    rows_read            BIGINT NOT NULL,
    skipped              BIGINT NOT NULL,
    matched              BIGINT NOT NULL,
    verified             BIGINT NOT NULL,
    amount_mismatch      BIGINT NOT NULL,
    missing_in_ledger    BIGINT NOT NULL,
    missing_in_statement BIGINT NOT NULL,
    bad_rows             BIGINT NOT NULL,
    created_by           TEXT NOT NULL,
    created_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX reconciliation_runs_file ON reconciliation_runs (file_sha256);
CREATE INDEX reconciliation_runs_created ON reconciliation_runs (created_at);

-- What a run found, one row each: receipts it verified, amount mismatches, money missing in
-- the ledger (postable after review), receipts missing in the statement, unreadable rows.
CREATE TABLE reconciliation_items (
    run_id           TEXT NOT NULL REFERENCES reconciliation_runs (id),
    item             BIGINT NOT NULL,
    line             BIGINT,
    kind             TEXT NOT NULL,
    receipt          TEXT NOT NULL,
    statement_amount BIGINT,
    ledger_amount    BIGINT,
    account          TEXT NOT NULL,
    completed_at     BIGINT,
    raw              TEXT NOT NULL,
    note             TEXT NOT NULL,
    posted_at        BIGINT,
    posted_by        TEXT,
    PRIMARY KEY (run_id, item)
);
CREATE INDEX reconciliation_items_receipt ON reconciliation_items (receipt);
CREATE INDEX reconciliation_items_kind ON reconciliation_items (run_id, kind);

-- Receipts by M-Pesa's time: the receipts inside a statement's period.
CREATE INDEX mpesa_receipts_time ON mpesa_receipts (trans_time);
