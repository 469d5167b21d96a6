package io.portcullis.common.testing;

import java.util.HashMap;
import java.util.Map;

import io.portcullis.devinfra.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Dev Services without containers for {@code @QuarkusTest} and {@code @QuarkusIntegrationTest}:
 * points the service at the real PostgreSQL and Redis that answer on this machine (or at private
 * throwaway ones, see {@link TestInfra}), creates its database, and gives the management interface
 * a free port that tests find through {@link Management}.
 *
 * <p>Declare once per module, on any test class:
 * <pre>
 * &#64;WithTestResource(value = LocalInfraTestResource.class, scope = TestResourceScope.GLOBAL,
 *         initArgs = &#64;ResourceArg(name = "database", value = "portcullis_auth_test"))
 * </pre>
 */
public class LocalInfraTestResource implements QuarkusTestResourceLifecycleManager {

    private String database = "portcullis_test";
    private String runtimeLogin;
    private String outboxKey;

    /**
     * {@code database}: the module's test database; {@code runtime-login}, optional: a login that owns
     * nothing, which the service works as while Flyway migrates as the server's user.
     */
    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
        runtimeLogin = initArgs.get("runtime-login");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(TestInfra.acquire(database, runtimeLogin));
        int managementPort = TestInfra.freePort();
        config.put("quarkus.management.test-port", Integer.toString(managementPort));
        // a packaged artifact under @QuarkusIntegrationTest reads the plain port
        config.put("quarkus.management.port", Integer.toString(managementPort));
        System.setProperty(Management.PORT_PROPERTY, Integer.toString(managementPort));
        // the packaged artifact (@QuarkusIntegrationTest) trusts the test key through a file
        config.put("mp.jwt.verify.publickey.location", TestTokens.publicKeyFile());
        // audit events stay in a per-run outbox that tests read (AuditOutbox); nothing is forwarded
        outboxKey = "audit:outbox:{test-" + java.util.UUID.randomUUID() + "}";
        config.put("portcullis.audit.outbox-key", outboxKey);
        config.put("portcullis.audit.forward", "false");
        System.setProperty(AuditOutbox.KEY_PROPERTY, outboxKey);
        // and a per-run revocation list, so that no test reads or breaks a running suite's
        String run = java.util.UUID.randomUUID().toString();
        config.put("portcullis.revocation.key", "auth:revoked-sids:test-" + run);
        config.put("portcullis.revocation.channel", "auth:revocations:test-" + run);
        System.setProperty(Revocations.KEY_PROPERTY, config.get("portcullis.revocation.key"));
        System.setProperty(Revocations.CHANNEL_PROPERTY, config.get("portcullis.revocation.channel"));
        System.setProperty(AuditOutbox.REDIS_PROPERTY, config.get("quarkus.redis.hosts"));
        if (config.containsKey("quarkus.redis.password")) {
            System.setProperty(AuditOutbox.REDIS_PASSWORD_PROPERTY, config.get("quarkus.redis.password"));
        }
        return config;
    }

    @Override
    public void stop() {
        AuditOutbox.delete();
        TestInfra.release();
    }
}
