-- auth-service: users and service clients. Sessions and login-failure counters live in Redis.

CREATE TABLE app_user (
    id                  uuid        PRIMARY KEY,
    username            text        NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    groups              text[]      NOT NULL DEFAULT '{user}',
    status              text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    password_hash       text        NOT NULL,
    password_changed_at timestamptz NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             integer     NOT NULL DEFAULT 0
);

CREATE TABLE service_client (
    client_id   text        PRIMARY KEY CHECK (client_id ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
    secret_hash text        NOT NULL,
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
