-- Monthly payouts to agents, one batch a month, made by finance: each agent is paid what
-- its statements up to that month owe it beyond what earlier batches paid; an agent whose
-- clawbacks exceed what it earned is paid nothing and the difference comes off its next
-- payout. `method`: mpesa_b2c (to the agent's phone) or bank.
CREATE TABLE agent_payout_batches (
    id                 TEXT PRIMARY KEY,
    month              TEXT NOT NULL UNIQUE,
    method             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    total              BIGINT NOT NULL,
    agents             BIGINT NOT NULL,
    created_by         TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE TABLE agent_payouts (
    batch_id           TEXT NOT NULL REFERENCES agent_payout_batches (id),
    agent_code         TEXT NOT NULL,
    phone              TEXT NOT NULL,
    amount             BIGINT NOT NULL,
    ledger_transaction TEXT NOT NULL,
    PRIMARY KEY (batch_id, agent_code)
);
CREATE INDEX agent_payouts_agent ON agent_payouts (agent_code);

-- Every agent's statement of a month in one pass (payouts, finance's export, the bench).
CREATE INDEX agent_commissions_by_month ON agent_commissions (month, agent_code, paid_at);
CREATE INDEX agent_commissions_by_clawback ON agent_commissions (clawback_month, agent_code);

-- Fraud controls: the most applications an agent may start in 24 hours.
ALTER TABLE agents ADD COLUMN daily_cap BIGINT NOT NULL DEFAULT 100;
