-- Signing keys: one current Ed25519 key per agency (agency '' is the platform's root key,
-- which signs the trust list). Private keys are sealed with the key-encryption key; public
-- keys are published in the trust list, retired ones too, so old documents stay verifiable.
CREATE TABLE document_keys (
    kid         TEXT PRIMARY KEY,
    agency      TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    not_before  TEXT NOT NULL,
    not_after   TEXT NOT NULL,
    retired_at  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX document_keys_agency ON document_keys (agency, created_at);

-- Documents withdrawn by their agency; listed in the trust list at once.
CREATE TABLE document_revocations (
    number     TEXT PRIMARY KEY,
    agency     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    revoked_by TEXT NOT NULL,
    revoked_at BIGINT NOT NULL
);
