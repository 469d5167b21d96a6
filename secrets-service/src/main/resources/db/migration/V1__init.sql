-- secrets-service: envelope-encrypted, versioned secrets with path policies.
-- No key material is ever stored here: only key ids, wrapped data keys and ciphertext.

-- A counter bumped by every change to policies or key-encryption keys (triggers below), so that
-- each instance can tell in the same round trip as its query whether its cached copy is stale.
CREATE TABLE secret_generation (
    id         smallint PRIMARY KEY CHECK (id = 1),
    generation bigint   NOT NULL
);
INSERT INTO secret_generation (id, generation) VALUES (1, 1);

CREATE FUNCTION secret_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE secret_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

-- Key-encryption keys by id (a fingerprint of the key; the key itself lives only in the service's
-- configuration). At most one is active: the one new data keys are wrapped under.
CREATE TABLE secret_kek (
    id           text        PRIMARY KEY CHECK (id ~ '^kek-[0-9a-f]{16}$'),
    state        text        NOT NULL CHECK (state IN ('active', 'available', 'retired')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz,
    retired_at   timestamptz
);
CREATE UNIQUE INDEX secret_kek_one_active ON secret_kek (state) WHERE state = 'active';
CREATE TRIGGER secret_kek_generation AFTER INSERT OR UPDATE OR DELETE ON secret_kek
    FOR EACH STATEMENT EXECUTE FUNCTION secret_bump_generation();

-- The salt (not secret) of a passphrase-derived KEK, made once on first use.
CREATE TABLE secret_kdf (
    id         smallint    PRIMARY KEY CHECK (id = 1),
    algorithm  text        NOT NULL,
    iterations integer     NOT NULL,
    salt       bytea       NOT NULL CHECK (octet_length(salt) = 16),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Policies: a rule grants capabilities on a path prefix to the policy's groups. Nothing else grants.
CREATE TABLE secret_policy (
    name       text        PRIMARY KEY,
    groups     text[]      NOT NULL,
    rules      text        NOT NULL, -- JSON: [{"pathPrefix": "...", "capabilities": ["read", ...]}]
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text
);
CREATE TRIGGER secret_policy_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secret_policy
    FOR EACH STATEMENT EXECUTE FUNCTION secret_bump_generation();

-- One row per path: its version counter and settings. "C" collation: byte order, so that a prefix
-- is a contiguous range of the primary key.
CREATE TABLE secret_metadata (
    path            text COLLATE "C" PRIMARY KEY CHECK (octet_length(path) BETWEEN 1 AND 512),
    current_version integer     NOT NULL DEFAULT 0 CHECK (current_version >= 0),
    max_versions    integer     NOT NULL CHECK (max_versions >= 1),
    cas_required    boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- One row per version. The value is AES-256-GCM ciphertext under the version's own data key (DEK);
-- the DEK is stored only wrapped (AES-256-GCM) under a KEK. Destroying a version erases both.
CREATE SEQUENCE secret_version_seq;
CREATE TABLE secret_version (
    id           bigint      PRIMARY KEY DEFAULT nextval('secret_version_seq'),
    path         text COLLATE "C" NOT NULL REFERENCES secret_metadata (path) ON DELETE CASCADE,
    version      integer     NOT NULL CHECK (version >= 1),
    created_at   timestamptz NOT NULL,
    created_by   text,
    deleted_at   timestamptz,
    destroyed_at timestamptz,
    kek_id       text,       -- a secret_kek id (no foreign key: its lock on the one hot row would cost every write)
    dek_nonce    bytea       CHECK (octet_length(dek_nonce) = 12),
    wrapped_dek  bytea       CHECK (octet_length(wrapped_dek) = 48),
    nonce        bytea       CHECK (octet_length(nonce) = 12),
    ciphertext   bytea,
    UNIQUE (path, version),
    CONSTRAINT secret_version_destroyed_has_no_data CHECK (
        (destroyed_at IS NULL AND kek_id IS NOT NULL AND dek_nonce IS NOT NULL AND wrapped_dek IS NOT NULL
            AND nonce IS NOT NULL AND ciphertext IS NOT NULL)
        OR (destroyed_at IS NOT NULL AND kek_id IS NULL AND dek_nonce IS NULL AND wrapped_dek IS NULL
            AND nonce IS NULL AND ciphertext IS NULL))
);
CREATE INDEX secret_version_kek ON secret_version (kek_id) WHERE kek_id IS NOT NULL;

-- A data key may only be wrapped (inserted or rewrapped) under the active KEK. An activation takes
-- LOCK TABLE secret_version IN SHARE ROW EXCLUSIVE MODE: it waits for the writes in flight and holds
-- new ones until it commits, and this (volatile) check then reads the committed state. So once a KEK
-- stops being active no new data key lands under it, and a retired KEK provably wraps nothing, without
-- every write locking the active KEK's row.
CREATE FUNCTION secret_version_kek_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kek_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.kek_id IS DISTINCT FROM OLD.kek_id) THEN
        PERFORM 1 FROM secret_kek WHERE id = NEW.kek_id AND state = 'active';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'key-encryption key % is not the active one', NEW.kek_id USING ERRCODE = 'PS001';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER secret_version_kek_guard BEFORE INSERT OR UPDATE ON secret_version
    FOR EACH ROW EXECUTE FUNCTION secret_version_kek_guard();

-- One-time shares: only the SHA-256 of the token is stored; reading one deletes it.
CREATE TABLE secret_share (
    token_hash text        PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    path       text COLLATE "C" NOT NULL,
    version    integer     NOT NULL,
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    FOREIGN KEY (path, version) REFERENCES secret_version (path, version) ON DELETE CASCADE
);
CREATE INDEX secret_share_expiry ON secret_share (expires_at);
