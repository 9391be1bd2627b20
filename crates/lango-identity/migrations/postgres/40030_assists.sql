-- Centre staff acting for a person who is present. While a row is open (not ended, not
-- expired) the staff member's session may start and fill in that person's applications;
-- how the person confirmed it (a code to their phone, or the document staff inspected)
-- stays with it for the audit.
CREATE TABLE assists (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL,
    staff_id        TEXT NOT NULL REFERENCES accounts(id),
    person_id       TEXT NOT NULL REFERENCES accounts(id),
    centre          TEXT NOT NULL,
    counter         TEXT NOT NULL,
    proof           TEXT NOT NULL,
    document_kind   TEXT,
    document_number TEXT,
    started_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    ended_at        BIGINT
);
CREATE INDEX assists_session ON assists (session_id, ended_at);
CREATE INDEX assists_person ON assists (person_id, started_at);
