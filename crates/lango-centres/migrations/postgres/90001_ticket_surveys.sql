-- Exit satisfaction at service centres: each finished ticket is asked once (SMS, or the
-- counter's tablet page) how satisfied its holder was. Times are unix milliseconds (UTC).
CREATE TABLE ticket_surveys (
    ticket_id TEXT PRIMARY KEY,
    centre TEXT NOT NULL,
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    phone TEXT NULL,
    invited_at BIGINT NOT NULL,
    score BIGINT NULL,
    answered_at BIGINT NULL,
    channel TEXT NULL
);
CREATE INDEX ticket_surveys_phone ON ticket_surveys (phone, invited_at);
CREATE INDEX ticket_surveys_centre_day ON ticket_surveys (centre, day);
