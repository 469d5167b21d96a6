-- gateway: API keys. Only a SHA-256 digest of each key's secret is stored.
CREATE TABLE api_key (
    key_id                    text        PRIMARY KEY CHECK (key_id ~ '^[a-z0-9]{16}$'),
    name                      text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    secret_sha256             bytea       NOT NULL CHECK (octet_length(secret_sha256) = 32),
    scopes                    text[]      NOT NULL,
    expires_at                timestamptz,
    rate_limit_requests       integer     CHECK (rate_limit_requests > 0),
    rate_limit_window_seconds integer     CHECK (rate_limit_window_seconds > 0),
    created_at                timestamptz NOT NULL,
    created_by                text        NOT NULL,
    revoked_at                timestamptz
);
CREATE INDEX api_key_created ON api_key (created_at);
