-- Where USSD sessions end, for the service owners' drop-off figures: each gateway session's
-- last screen (a step name such as `pay.bill`), whether it was a final screen (`END`) or
-- one the person left unanswered, and how many steps it took. No phone number is kept.
-- Times are unix milliseconds (UTC); `day` is the East Africa Time date it started.
CREATE TABLE ussd_sessions (
    session_id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_step TEXT NOT NULL,
    ended SMALLINT NOT NULL DEFAULT 0,
    steps INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ussd_sessions_day ON ussd_sessions (day);
