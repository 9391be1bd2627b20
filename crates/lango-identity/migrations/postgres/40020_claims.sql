-- Claims to act for a business (its registration number) or a child (their birth
-- certificate): pending until platform staff have checked the proof (the registry, the
-- document), then approved (the business or guardianship is made) or refused with a reason.
CREATE TABLE claims (
    id            TEXT PRIMARY KEY,
    reference     TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    number        TEXT NOT NULL,
    name          TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    relationship  TEXT NOT NULL,
    status        TEXT NOT NULL,
    reason        TEXT,
    decided_by    TEXT,
    decided_at    BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX claims_status ON claims (status, created_at);
CREATE INDEX claims_account ON claims (account_id, created_at);
