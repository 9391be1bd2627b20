-- Inbound SMS, one row per message the gateway delivered: its id is the key, so a message
-- delivered twice is acted on once. Only the keyword's kind is kept, never the text (it
-- may be personal). outcome: received (being handled), answered, limited.
-- Times are unix milliseconds (UTC).
CREATE TABLE sms_inbound (
    message_id  TEXT PRIMARY KEY,
    phone       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX sms_inbound_phone ON sms_inbound (phone, received_at);

-- Each phone's rate-limit window: when it began and how many messages came in it. One row
-- a phone, bumped atomically, so a flood delivered at once still counts one by one.
CREATE TABLE sms_senders (
    phone        TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    messages     BIGINT NOT NULL
);
