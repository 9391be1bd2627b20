-- Channels: the gateway's own message id (delivery reports name it), why a message failed,
-- and which event a message tells of (the citizen's message history names it).
ALTER TABLE notifications ADD COLUMN provider_id TEXT;
ALTER TABLE notifications ADD COLUMN failure_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN event_type TEXT;
CREATE INDEX notifications_provider ON notifications (provider_id);

-- Message templates edited by platform administrators. A missing row means the default
-- shipped in code is in force, so new defaults reach every installation without a migration.
CREATE TABLE notification_templates (
    event_type TEXT NOT NULL,
    channel    TEXT NOT NULL,
    lang       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_type, channel, lang)
);
