-- Published measures. Every `insight_*` table is an incremental aggregate: it is added to
-- (never recomputed) as events are followed, so pages read a few rows per day however
-- large the history grows. Days and months are East Africa Time (`YYYY-MM-DD`, `YYYY-MM`).

-- Applications per day, agency, service and channel (online, centre, ussd, api, mobile).
CREATE TABLE insight_usage (
    day       TEXT NOT NULL,
    agency    TEXT NOT NULL,
    service   TEXT NOT NULL,
    channel   TEXT NOT NULL,
    started   BIGINT NOT NULL DEFAULT 0,
    submitted BIGINT NOT NULL DEFAULT 0,
    completed BIGINT NOT NULL DEFAULT 0,
    rejected  BIGINT NOT NULL DEFAULT 0,
    -- Of those completed or rejected that day, how many within the service's SLA.
    decided_in_sla BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agency, service, channel)
);
CREATE INDEX insight_usage_agency ON insight_usage (agency, day);
CREATE INDEX insight_usage_service ON insight_usage (service, day);

-- Applications per month, agency, service and the applicant's county ('' when not given).
CREATE TABLE insight_usage_county (
    month     TEXT NOT NULL,
    agency    TEXT NOT NULL,
    service   TEXT NOT NULL,
    county    TEXT NOT NULL,
    submitted BIGINT NOT NULL DEFAULT 0,
    completed BIGINT NOT NULL DEFAULT 0,
    rejected  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, agency, service, county)
);

-- Money received per day, agency, service ('' for bills raised without one), payment
-- channel and currency: how many payments and their sum in minor units.
CREATE TABLE insight_revenue (
    day       TEXT NOT NULL,
    agency    TEXT NOT NULL,
    service   TEXT NOT NULL,
    channel   TEXT NOT NULL,
    currency  TEXT NOT NULL,
    payments  BIGINT NOT NULL DEFAULT 0,
    bills_paid BIGINT NOT NULL DEFAULT 0,
    amount    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agency, service, channel, currency)
);
CREATE INDEX insight_revenue_agency ON insight_revenue (agency, day);

-- What people searched for and found little or nothing (normalised query, per day).
CREATE TABLE insight_search_gaps (
    day      TEXT NOT NULL,
    query    TEXT NOT NULL,
    searches BIGINT NOT NULL DEFAULT 0,
    results  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, query)
);

-- What delivering a service cost in all channels in one month, entered by its agency
-- (service '' for the agency as a whole).
CREATE TABLE insight_costs (
    agency     TEXT NOT NULL,
    service    TEXT NOT NULL,
    month      TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    currency   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    entered_by TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (agency, service, month)
);

-- One satisfaction survey answer per completed application (the key refuses a second).
-- Attributes are SDG 16.6.2's, each 1 (yes), 0 (no) or NULL (not answered).
CREATE TABLE survey_responses (
    application_id  TEXT PRIMARY KEY,
    reference       TEXT NOT NULL,
    agency          TEXT NOT NULL,
    service         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    answered_at     BIGINT NOT NULL,
    overall         BIGINT NOT NULL,
    access          BIGINT,
    affordability   BIGINT,
    effective       BIGINT,
    equal_treatment BIGINT,
    timeliness      BIGINT,
    comment         TEXT,
    sex             TEXT,
    age_band        TEXT,
    county          TEXT
);
CREATE INDEX survey_responses_service ON survey_responses (service, answered_at);

-- Survey invitations sent (page and SMS) and attempts made, per application: the
-- per-case rate limit and the match of an SMS reply to its application.
CREATE TABLE survey_invitations (
    application_id TEXT PRIMARY KEY,
    reference      TEXT NOT NULL,
    phone          TEXT,
    invited_at     BIGINT NOT NULL,
    attempts       BIGINT NOT NULL DEFAULT 0,
    window_start   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX survey_invitations_phone ON survey_invitations (phone, invited_at) WHERE phone IS NOT NULL;

-- Satisfaction per month, agency, service, survey channel and the groups people chose to
-- say ('' when not given): responses, how many satisfied (4 or 5), the sum of overall
-- scores, and per attribute how many answered and how many said yes.
CREATE TABLE insight_satisfaction (
    month        TEXT NOT NULL,
    agency       TEXT NOT NULL,
    service      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    sex          TEXT NOT NULL,
    age_band     TEXT NOT NULL,
    county       TEXT NOT NULL,
    responses    BIGINT NOT NULL DEFAULT 0,
    satisfied    BIGINT NOT NULL DEFAULT 0,
    overall_sum  BIGINT NOT NULL DEFAULT 0,
    access_n     BIGINT NOT NULL DEFAULT 0,
    access_yes   BIGINT NOT NULL DEFAULT 0,
    afford_n     BIGINT NOT NULL DEFAULT 0,
    afford_yes   BIGINT NOT NULL DEFAULT 0,
    effective_n  BIGINT NOT NULL DEFAULT 0,
    effective_yes BIGINT NOT NULL DEFAULT 0,
    equal_n      BIGINT NOT NULL DEFAULT 0,
    equal_yes    BIGINT NOT NULL DEFAULT 0,
    timely_n     BIGINT NOT NULL DEFAULT 0,
    timely_yes   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, agency, service, channel, sex, age_band, county)
);

-- The catalogue's services per digitisation stage, per agency, as of each day.
CREATE TABLE insight_digitisation (
    day          TEXT NOT NULL,
    agency       TEXT NOT NULL,
    information  BIGINT NOT NULL,
    downloadable BIGINT NOT NULL,
    partial      BIGINT NOT NULL,
    end_to_end   BIGINT NOT NULL,
    PRIMARY KEY (day, agency)
);

-- Performance contracting: a period, each agency's contract in it (indicators with weights
-- and targets, as checked JSON), and the values agencies enter with their evidence.
CREATE TABLE performance_periods (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    starts     TEXT NOT NULL,
    ends       TEXT NOT NULL,
    scale      TEXT NOT NULL,
    saved_by   TEXT NOT NULL,
    saved_at   BIGINT NOT NULL,
    revision   BIGINT NOT NULL
);
CREATE TABLE performance_contracts (
    period     TEXT NOT NULL,
    agency     TEXT NOT NULL,
    category   TEXT NOT NULL,
    indicators TEXT NOT NULL,
    saved_by   TEXT NOT NULL,
    saved_at   BIGINT NOT NULL,
    revision   BIGINT NOT NULL,
    PRIMARY KEY (period, agency)
);
CREATE TABLE performance_entries (
    period     TEXT NOT NULL,
    agency     TEXT NOT NULL,
    indicator  TEXT NOT NULL,
    value      TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (period, agency, indicator)
);
