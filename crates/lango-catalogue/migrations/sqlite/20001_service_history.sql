-- Every edit an agency administrator saves to a service entry: who, when, and each
-- field's old and new text (a JSON list of {field, old, new}). The revision is the
-- catalogue counter value the edit stamped on the service, so it is unique.
CREATE TABLE service_history (
    service_code TEXT NOT NULL REFERENCES services (code),
    revision     BIGINT NOT NULL,
    agency_code  TEXT NOT NULL,
    actor        TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    at           BIGINT NOT NULL,
    changes      TEXT NOT NULL,
    PRIMARY KEY (service_code, revision)
);
