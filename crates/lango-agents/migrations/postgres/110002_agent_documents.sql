-- The documents an application to become an agent carries for platform staff's vetting
-- (the county business permit, the owner's identity document), one of each kind; the bytes
-- live in the document store under their SHA-256, like applications' documents.
CREATE TABLE agent_documents (
    id            TEXT PRIMARY KEY,
    agent_code    TEXT NOT NULL REFERENCES agents (code),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   BIGINT NOT NULL,
    UNIQUE (agent_code, kind)
);
