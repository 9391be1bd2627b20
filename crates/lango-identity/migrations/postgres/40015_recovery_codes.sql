-- Single-use recovery codes for the second factor: only each code's SHA-256 is stored.
CREATE TABLE recovery_codes (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE UNIQUE INDEX recovery_codes_hash ON recovery_codes (account_id, code_hash);
