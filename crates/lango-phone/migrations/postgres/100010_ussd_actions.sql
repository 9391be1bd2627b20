-- What a USSD session did that changes something (an M-Pesa Express request, a language
-- switch), once per session and step: a gateway repeats a request it got no answer to, and
-- the repeat must answer the same screen without acting again. `outcome` is empty while the
-- action is under way and then says how it ended, so the repeat can say it too.
-- Times are unix milliseconds (UTC).
CREATE TABLE ussd_actions (
    session_id TEXT NOT NULL,
    action TEXT NOT NULL,
    phone TEXT NOT NULL,
    outcome TEXT NULL,
    created_at BIGINT NOT NULL,
    settled_at BIGINT NULL,
    PRIMARY KEY (session_id, action)
);
-- A USSD request finds the accounts that verified the phone it comes from.
CREATE INDEX IF NOT EXISTS accounts_by_phone ON accounts (phone);
