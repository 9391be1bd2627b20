-- Signed checkpoints of the audit chain's head, one an hour: the head's seq and hash with
-- the time, signed with the platform key (HMAC-SHA256, hex). A rewrite of old records and
-- every hash after them no longer matches a checkpoint, so `lango audit verify` finds it.
CREATE TABLE audit_checkpoints (
    seq       BIGINT PRIMARY KEY,
    hash      TEXT NOT NULL,
    at        BIGINT NOT NULL,
    signature TEXT NOT NULL
);

-- Keys the platform keeps for itself when none is configured (hex).
CREATE TABLE core_keys (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
