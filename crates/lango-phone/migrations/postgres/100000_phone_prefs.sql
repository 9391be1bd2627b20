-- What a phone number has chosen, whoever holds it: the language of its USSD screens and SMS
-- replies. (Its opt-out from non-essential messages, SMS STOP, is the outbox's to keep:
-- lango-notify's `sms_opt_outs`, obeyed by every sender.)
-- Times are unix milliseconds (UTC).
CREATE TABLE phone_prefs (
    phone TEXT PRIMARY KEY,
    lang TEXT NOT NULL DEFAULT 'en',
    updated_at BIGINT NOT NULL
);
