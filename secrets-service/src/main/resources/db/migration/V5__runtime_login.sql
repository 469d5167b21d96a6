-- The login the service works as (quarkus.datasource.username, the placeholder runtime_login set in
-- security-common) gets the service's role. When it is not the login that runs the migrations, it owns
-- nothing here: a RESET ROLE leaves it with only what portcullis_secrets_app grants (it inherits the
-- role), so it can neither drop nor disable the triggers that guard KEK ids and policy generations.
DO $grant$
DECLARE
    login text := '${runtime_login}';
BEGIN
    IF login = '' OR login = current_user THEN
        RETURN; -- one login for both: V2 granted the role to it
    END IF;
    BEGIN
        EXECUTE format('GRANT portcullis_secrets_app TO %I', login);
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot grant portcullis_secrets_app to %; grant it as an operator', login;
    END;
END;
$grant$;
