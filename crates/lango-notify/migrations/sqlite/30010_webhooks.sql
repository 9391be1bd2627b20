-- Agency systems' webhook subscriptions. The secret signs every delivery (HMAC-SHA256), so
-- it is kept; it is shown to the agency once, when created.
CREATE TABLE webhook_subscriptions (
    id          TEXT PRIMARY KEY,
    agency_code TEXT NOT NULL,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    event_types TEXT NOT NULL,
    active      BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_subscriptions_agency ON webhook_subscriptions (agency_code, active);

-- One row per event per subscription: at-least-once delivery, in order per order_key.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    event_seq        BIGINT NOT NULL REFERENCES events (seq),
    order_key        TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT NOT NULL,
    last_status      BIGINT,
    last_error       TEXT NOT NULL,
    last_duration_ms BIGINT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, order_key, status, event_seq);
