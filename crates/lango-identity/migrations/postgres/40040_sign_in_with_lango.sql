-- Sign in with Lango: agency systems (OpenID Connect clients) that sign people in with
-- their Lango account. Secrets, codes and refresh tokens are stored as SHA-256 digests.
CREATE TABLE oidc_clients (
    id            TEXT PRIMARY KEY,
    agency        TEXT NOT NULL,
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    logout_uris   TEXT NOT NULL,
    national_id   BIGINT NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX oidc_clients_agency ON oidc_clients (agency, created_at);

-- Agencies whose systems may not sign anyone in (every client refused) until lifted.
CREATE TABLE oidc_suspensions (
    agency       TEXT PRIMARY KEY,
    reason       TEXT NOT NULL,
    suspended_by TEXT NOT NULL,
    suspended_at BIGINT NOT NULL
);

-- What a person allowed a client to receive; remembered until they withdraw it.
CREATE TABLE oidc_consents (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    client_id  TEXT NOT NULL REFERENCES oidc_clients (id),
    scope      TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- One sign-in of a person to a client: its code, then the tokens issued from it. A code
-- used twice, a refresh token used twice or a withdrawn consent revokes the whole grant.
CREATE TABLE oidc_grants (
    id             TEXT PRIMARY KEY,
    code_hash      TEXT NOT NULL UNIQUE,
    client_id      TEXT NOT NULL REFERENCES oidc_clients (id),
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    challenge      TEXT NOT NULL,
    acting_for     TEXT NOT NULL,
    auth_time      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    code_expires   BIGINT NOT NULL,
    code_used_at   BIGINT,
    revoked_at     BIGINT
);
CREATE INDEX oidc_grants_person ON oidc_grants (account_id, client_id);

CREATE TABLE oidc_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES oidc_grants (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX oidc_refresh_grant ON oidc_refresh_tokens (grant_id);

-- The provider's ES256 signing keys: the private half sealed by the key-encryption key.
CREATE TABLE oidc_keys (
    kid         TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    public_x    TEXT NOT NULL,
    public_y    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);
