-- A registration with an ID number that already has an account creates no account: the
-- registrant is answered exactly as any registrant (a code step that never accepts a code)
-- and this row stands behind that step's cookie for as long as a session would.
CREATE TABLE registration_attempts (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
