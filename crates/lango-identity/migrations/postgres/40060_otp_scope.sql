-- A one-time code can be bound to whom it was asked for (`agent:AG00001`, `centre:HC-GPO`):
-- it is looked up, tried and voided only within that scope, so another helper typing
-- digits neither uses nor uses up the code the person was sent for someone else.
ALTER TABLE otp_codes ADD COLUMN scope TEXT NOT NULL DEFAULT '';
DROP INDEX otp_codes_account;
CREATE INDEX otp_codes_account ON otp_codes (account_id, purpose, scope);
