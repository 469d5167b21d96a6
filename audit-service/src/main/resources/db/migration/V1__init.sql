-- The audit log: append-only in the database itself.

CREATE TABLE audit_event (
    seq         bigint      PRIMARY KEY,
    id          uuid        NOT NULL UNIQUE,           -- the producer's idempotency key
    type        text        NOT NULL,
    outcome     text        NOT NULL,
    actor       text        NOT NULL,
    source_ip   text,
    service     text        NOT NULL,
    request_id  text,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    details     jsonb       NOT NULL,
    prev_hash   bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash        bytea       NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_event_type_seq ON audit_event (type, seq);
CREATE INDEX audit_event_actor_seq ON audit_event (actor, seq);
CREATE INDEX audit_event_occurred ON audit_event (occurred_at);

-- The head of the chain: one row, locked (FOR UPDATE) by whoever appends, so that writers on any
-- number of instances take turns and seq stays gap-free.
CREATE TABLE audit_chain_head (
    id   smallint PRIMARY KEY CHECK (id = 1),
    seq  bigint   NOT NULL,
    hash bytea    NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- Signed checkpoints of the head.
CREATE TABLE audit_checkpoint (
    seq       bigint      PRIMARY KEY,
    hash      bytea       NOT NULL,
    signed_at timestamptz NOT NULL,
    key_id    text        NOT NULL,
    algorithm text        NOT NULL,
    signature bytea       NOT NULL
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The role the service works as (quarkus.datasource.reactive.additional-properties.role): it may
-- read and append, and move the head, nothing else. Creating roles needs CREATEROLE; where the
-- migration user lacks it, an operator creates the role (docs: audit-service/README.md).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portcullis_audit_writer') THEN
        BEGIN
            CREATE ROLE portcullis_audit_writer NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'cannot create role portcullis_audit_writer; create it as an operator';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portcullis_audit_writer') THEN
        REVOKE ALL ON audit_event, audit_checkpoint, audit_chain_head FROM PUBLIC;
        REVOKE ALL ON audit_event, audit_checkpoint, audit_chain_head FROM portcullis_audit_writer;
        GRANT SELECT, INSERT ON audit_event, audit_checkpoint TO portcullis_audit_writer;
        GRANT SELECT, UPDATE ON audit_chain_head TO portcullis_audit_writer;
        EXECUTE format('GRANT portcullis_audit_writer TO %I', current_user);
    END IF;
END;
$$;
