-- Service definitions (versioned) and the applications made with them.

-- Every version of every service's definition, as uploaded; versions count 1, 2, 3… per service.
CREATE TABLE service_definitions (
    service     TEXT NOT NULL,
    version     BIGINT NOT NULL,
    agency      TEXT NOT NULL,
    yaml        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (service, version)
);

-- One application. `queued` is 1 while it is submitted and not in a final state (the
-- agency's queue); `due_key` is `due_at`, or a far future for states without an SLA, so
-- the queue orders and pages on one NOT NULL key. `awaiting_payment` is 1 while it waits
-- in a state that needs its bill paid.
CREATE TABLE applications (
    id               TEXT PRIMARY KEY,
    reference        TEXT NOT NULL UNIQUE,
    service          TEXT NOT NULL,
    version          BIGINT NOT NULL,
    agency           TEXT NOT NULL,
    applicant        TEXT NOT NULL,
    applicant_name   TEXT NOT NULL,
    business         TEXT,
    state            TEXT NOT NULL,
    queued           BIGINT NOT NULL DEFAULT 0,
    awaiting_payment BIGINT NOT NULL DEFAULT 0,
    answers          TEXT NOT NULL,
    assigned_to      TEXT,
    bill_reference   TEXT,
    channel          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    submitted_at     BIGINT,
    state_since      BIGINT NOT NULL,
    due_at           BIGINT,
    due_key          BIGINT NOT NULL,
    revision         BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- The agency's queue, oldest due first, one index per filter (keyset pages on due_key, id).
CREATE INDEX applications_queue ON applications (agency, due_key, id) WHERE queued = 1;
CREATE INDEX applications_queue_state ON applications (agency, state, due_key, id) WHERE queued = 1;
CREATE INDEX applications_queue_assignee ON applications (agency, assigned_to, due_key, id) WHERE queued = 1;
CREATE INDEX applications_queue_service ON applications (agency, service, due_key, id) WHERE queued = 1;
-- An applicant's (and a business's) applications, newest first.
CREATE INDEX applications_applicant ON applications (applicant, created_at);
CREATE INDEX applications_business ON applications (business, created_at) WHERE business IS NOT NULL;
-- Applications waiting for their bill.
CREATE INDEX applications_awaiting ON applications (bill_reference) WHERE awaiting_payment = 1;

-- Every step of every application: who, when, from where to where, and why.
CREATE TABLE application_transitions (
    application_id TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    agency         TEXT NOT NULL,
    at             BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    action         TEXT NOT NULL,
    reason         TEXT,
    PRIMARY KEY (application_id, seq)
);
-- The supervisor's "done in the last 7 days" per officer.
CREATE INDEX application_transitions_agency ON application_transitions (agency, at);

-- Messages between the applicant and the agency on one application.
CREATE TABLE application_messages (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    at             BIGINT NOT NULL,
    from_applicant BIGINT NOT NULL,
    author_id      TEXT NOT NULL,
    author         TEXT NOT NULL,
    body           TEXT NOT NULL,
    documents      TEXT NOT NULL
);
CREATE INDEX application_messages_application ON application_messages (application_id, at);
