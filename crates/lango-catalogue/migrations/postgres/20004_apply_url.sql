-- Where a service is applied for when it runs on the agency's own system (reached with
-- Lango sign-in); NULL when it runs on the platform.
ALTER TABLE services ADD COLUMN apply_url TEXT;
