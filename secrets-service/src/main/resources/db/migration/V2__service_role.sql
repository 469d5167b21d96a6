-- The role the service works as (quarkus.datasource.reactive.additional-properties.role): it may
-- read and change the rows of its tables (and take the table lock a KEK change needs), nothing else:
-- no DDL, so it cannot drop or disable the triggers that guard KEK ids and policy generations, no
-- TRUNCATE, and no access to Flyway's history. Creating roles needs CREATEROLE; where the migration
-- user lacks it, an operator creates the role (docs: secrets-service/README.md).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portcullis_secrets_app') THEN
        BEGIN
            CREATE ROLE portcullis_secrets_app NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'cannot create role portcullis_secrets_app; create it as an operator';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portcullis_secrets_app') THEN
        REVOKE ALL ON secret_generation, secret_kek, secret_kdf, secret_policy, secret_metadata, secret_version,
            secret_share FROM PUBLIC;
        REVOKE ALL ON secret_generation, secret_kek, secret_kdf, secret_policy, secret_metadata, secret_version,
            secret_share FROM portcullis_secrets_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON secret_generation, secret_kek, secret_kdf, secret_policy,
            secret_metadata, secret_version, secret_share TO portcullis_secrets_app;
        GRANT USAGE, SELECT ON SEQUENCE secret_version_seq TO portcullis_secrets_app;
        EXECUTE format('GRANT portcullis_secrets_app TO %I', current_user);
    END IF;
    -- PostgreSQL 15's default, made explicit for older servers: nobody but the owner creates objects here
    BEGIN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot revoke CREATE on schema public; revoke it as an operator';
    END;
END;
$$;
