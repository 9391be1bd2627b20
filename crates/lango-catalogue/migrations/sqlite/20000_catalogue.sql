-- Agencies: ministries, state departments, corporations, counties and local bodies.
CREATE TABLE agencies (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_sw     TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT REFERENCES agencies (code),
    website     TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    revision    BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX agencies_revision ON agencies (revision);

-- Services. Multi-valued attributes are JSON arrays; fees are JSON objects with
-- integer minor units, never floats.
CREATE TABLE services (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    name_sw        TEXT NOT NULL,
    summary        TEXT NOT NULL,
    summary_sw     TEXT NOT NULL,
    description    TEXT NOT NULL,
    description_sw TEXT NOT NULL,
    eligibility    TEXT NOT NULL,
    eligibility_sw TEXT NOT NULL,
    agency_code    TEXT NOT NULL REFERENCES agencies (code),
    category       TEXT NOT NULL,
    life_events    TEXT NOT NULL,
    channels       TEXT NOT NULL,
    stage          TEXT NOT NULL,
    fees           TEXT NOT NULL,
    sla_days       BIGINT,
    documents      TEXT NOT NULL,
    keywords       TEXT NOT NULL,
    status         TEXT NOT NULL,
    revision       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX services_revision ON services (revision);
CREATE INDEX services_agency ON services (agency_code);
