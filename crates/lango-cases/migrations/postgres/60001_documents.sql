-- Documents of applications (uploads, message attachments, issued outputs), their
-- content kept once per SHA-256 in the object store; issued documents and the key that
-- signs them.
CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    name           TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    purpose        TEXT NOT NULL CHECK (purpose IN ('answer', 'message', 'output')),
    field          TEXT,
    uploaded_by    TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX documents_application ON documents (application_id, created_at);
CREATE INDEX documents_sha256 ON documents (sha256);

CREATE TABLE issued (
    number         TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    output         TEXT NOT NULL,
    document_id    TEXT NOT NULL REFERENCES documents (id),
    sha256         TEXT NOT NULL,
    issued_at      BIGINT NOT NULL,
    valid_until    TEXT,
    signature      TEXT NOT NULL,
    service        TEXT NOT NULL,
    service_name   TEXT NOT NULL,
    title          TEXT NOT NULL,
    holder         TEXT NOT NULL,
    issued_by      TEXT NOT NULL
);
CREATE INDEX issued_application ON issued (application_id, issued_at);

-- Keys made once and shared by every node (the first node to need one creates it).
CREATE TABLE cases_keys (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
