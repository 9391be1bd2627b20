-- Domain events: written in the transaction of the change they tell of, numbered in
-- commit order (the `events` counter's row lock orders writers), so consumers can follow
-- them with a cursor.
CREATE TABLE events (
    seq         BIGINT PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    order_key   TEXT NOT NULL,
    data        TEXT NOT NULL,
    occurred_at BIGINT NOT NULL
);

-- Where each consumer (e.g. the NATS publisher) has got to.
CREATE TABLE event_cursors (
    name TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL
);
