-- The login the service works as (quarkus.datasource.username, the placeholder runtime_login set in
-- security-common) gets the append-only role. When it is not the login that runs the
-- migrations, it owns nothing here: a RESET ROLE leaves it with only what portcullis_audit_writer
-- grants (it inherits the role), so it can neither disable the triggers nor change a stored event.
DO $grant$
DECLARE
    login text := '${runtime_login}';
BEGIN
    IF login = '' OR login = current_user THEN
        RETURN; -- one login for both: V1 granted the role to it
    END IF;
    BEGIN
        EXECUTE format('GRANT portcullis_audit_writer TO %I', login);
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant portcullis_audit_writer to %; grant it as an operator', login;
    END;
END;
$grant$;
