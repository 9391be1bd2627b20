-- Phones that sent STOP (and no START since): only essential messages reach them by SMS
-- (the list is `lango_notify::optout::NON_ESSENTIAL`). Kept by phone, not by account: the
-- person holding the phone chose, whoever it is registered to. Unix milliseconds (UTC).
CREATE TABLE sms_opt_outs (
    phone        TEXT PRIMARY KEY,
    opted_out_at BIGINT NOT NULL
);
