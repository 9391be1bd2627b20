-- Secrets at rest are sealed with a key-encryption key (lango_core::sealed). Production
-- configures it (key_encryption_key); without one, a key made on first use is kept here, so
-- every node agrees (a demo: whoever reads the database can then open what it seals). A
-- node that is given a configured key reseals everything with it and deletes this row.
CREATE TABLE core_kek (
    id         TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Per sealed column, the key everything in it was last sealed with: a start-up with that
-- same key skips the column instead of scanning it.
CREATE TABLE core_sealing (
    name       TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL,
    done_at    BIGINT NOT NULL
);
