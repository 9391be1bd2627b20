-- Registered agents (cyber cafés, county agents): a business that applied, was vetted by
-- platform staff and acts for people present, with each person's consent.
-- status: applied | approved | refused | suspended.
CREATE TABLE agents (
    code          TEXT PRIMARY KEY,
    business_id   TEXT NOT NULL UNIQUE REFERENCES businesses (id),
    name          TEXT NOT NULL,
    county        TEXT NOT NULL,
    location      TEXT NOT NULL,
    phone         TEXT NOT NULL,
    permit_number TEXT NOT NULL,
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    applied_by    TEXT NOT NULL REFERENCES accounts (id),
    applied_at    BIGINT NOT NULL,
    decided_by    TEXT,
    decided_at    BIGINT
);
CREATE INDEX agents_status ON agents (status, county);

-- The services an agent offers to help with (the directory's "by service").
CREATE TABLE agent_services (
    agent_code   TEXT NOT NULL REFERENCES agents (code),
    service_code TEXT NOT NULL,
    PRIMARY KEY (agent_code, service_code)
);
CREATE INDEX agent_services_service ON agent_services (service_code);

-- Commission rules. scope: all | category | service (scope_value names which); channel:
-- the payment's channel or `any`; the band is the bill's service amount, band_max
-- exclusive (NULL: no top); flat + percent (basis points) of the amount, at most cap;
-- paid out of the platform's fee or the agency's revenue (source); valid_to inclusive.
CREATE TABLE commission_rules (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    scope_value TEXT NOT NULL,
    channel     TEXT NOT NULL,
    currency    TEXT NOT NULL,
    band_min    BIGINT NOT NULL,
    band_max    BIGINT,
    flat        BIGINT NOT NULL,
    percent_bps BIGINT NOT NULL,
    cap         BIGINT,
    source      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_by  TEXT,
    retired_at  BIGINT
);

-- One line per paid bill of an agent's application: the commission accrued (possibly 0),
-- with its ledger transaction; a clawback (the bill's payment refunded) reverses it in
-- the month it happens.
CREATE TABLE agent_commissions (
    bill_reference        TEXT PRIMARY KEY,
    agent_code            TEXT NOT NULL,
    application_reference TEXT NOT NULL,
    service_code          TEXT NOT NULL,
    currency              TEXT NOT NULL,
    amount                BIGINT NOT NULL,
    commission            BIGINT NOT NULL,
    rule_id               TEXT,
    source                TEXT NOT NULL,
    paid_at               BIGINT NOT NULL,
    month                 TEXT NOT NULL,
    ledger_transaction    TEXT,
    clawed_back_at        BIGINT,
    clawback_month        TEXT,
    clawback_transaction  TEXT
);
CREATE INDEX agent_commissions_month ON agent_commissions (agent_code, month);
CREATE INDEX agent_commissions_clawback ON agent_commissions (agent_code, clawback_month);
