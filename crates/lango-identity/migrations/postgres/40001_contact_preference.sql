-- How each person wants to hear from Lango: `sms`, `email` or `both`.
ALTER TABLE accounts ADD COLUMN contact_preference TEXT NOT NULL DEFAULT 'both';
