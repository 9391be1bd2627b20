-- People and staff. A person's ID document is unique; staff have none.
CREATE TABLE accounts (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    id_kind           TEXT,
    id_number         TEXT,
    given_name        TEXT NOT NULL,
    family_name       TEXT NOT NULL,
    other_names       TEXT NOT NULL DEFAULT '',
    date_of_birth     TEXT,
    phone             TEXT,
    email             TEXT,
    phone_verified_at BIGINT,
    email_verified_at BIGINT,
    password_hash     TEXT,
    totp_secret       TEXT,
    totp_last_step    BIGINT NOT NULL DEFAULT 0,
    status            TEXT NOT NULL,
    postal_address    TEXT NOT NULL DEFAULT '',
    county            TEXT NOT NULL DEFAULT '',
    sub_county        TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT 'en',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_document ON accounts (id_kind, id_number);
CREATE UNIQUE INDEX accounts_email ON accounts (email);

-- Staff roles: agency roles name an agency, centre roles a centre.
CREATE TABLE account_roles (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    role        TEXT NOT NULL,
    agency_code TEXT NOT NULL DEFAULT '',
    centre_code TEXT NOT NULL DEFAULT '',
    granted_by  TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, role, agency_code, centre_code)
);
CREATE INDEX account_roles_agency ON account_roles (agency_code);

-- Businesses and the people who act for them.
CREATE TABLE businesses (
    id                  TEXT PRIMARY KEY,
    registration_number TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    created_by          TEXT NOT NULL REFERENCES accounts (id),
    created_at          BIGINT NOT NULL
);
CREATE TABLE business_members (
    business_id TEXT NOT NULL REFERENCES businesses (id),
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    role        TEXT NOT NULL,
    granted_by  TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    PRIMARY KEY (business_id, account_id)
);
CREATE INDEX business_members_account ON business_members (account_id);

-- A guardian acts for a dependant (a child, or an adult in their care).
CREATE TABLE guardianships (
    guardian_id  TEXT NOT NULL REFERENCES accounts (id),
    dependant_id TEXT NOT NULL REFERENCES accounts (id),
    relationship TEXT NOT NULL,
    granted_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    PRIMARY KEY (guardian_id, dependant_id)
);

-- Server-side sessions: only the SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    csrf         TEXT NOT NULL,
    mfa_pending  BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    user_agent   TEXT NOT NULL,
    ip           TEXT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX sessions_account ON sessions (account_id);

-- One-time codes (verification, password reset), stored hashed.
CREATE TABLE otp_codes (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    attempts   BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX otp_codes_account ON otp_codes (account_id, purpose);

-- Failed attempts and lockouts, shared by every node.
CREATE TABLE throttles (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Agency systems' API keys: only the SHA-256 of the secret part is stored.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    agency_code  TEXT NOT NULL,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_agency ON api_keys (agency_code);

-- Sign-in through a national identity provider: who they are there.
CREATE TABLE oidc_links (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE TABLE oidc_pending (
    state         TEXT PRIMARY KEY,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
