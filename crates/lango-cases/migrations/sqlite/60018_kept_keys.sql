-- The key that signs issued documents joins the platform's other kept keys (core_keys): one
-- table and one way to make them (lango_core::keys).
INSERT INTO core_keys (name, secret, created_at)
SELECT name, secret, created_at FROM cases_keys WHERE true
ON CONFLICT (name) DO NOTHING;
DROP TABLE cases_keys;
