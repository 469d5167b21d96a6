package io.portcullis.gateway;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import io.portcullis.common.testing.LocalInfraTestResource;
import io.portcullis.devinfra.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;

/**
 * The gateway under test: real PostgreSQL and Redis (through a relay a test can cut), stub upstreams
 * for auth, secrets and exec, a dead address for audit (an upstream that is down), a 1 s read
 * timeout, a 64 KiB body limit, and a random bootstrap admin key.
 */
public class GatewayTestResource implements QuarkusTestResourceLifecycleManager {

    static final String BOOTSTRAP_KEY_PROPERTY = "gateway.test.bootstrap-key";
    static final String CONFIG_PREFIX = "gateway.test.config.";
    public static final long MAX_BODY = 64 * 1024;

    private final LocalInfraTestResource infra = new LocalInfraTestResource();
    private Vertx vertx;
    private StubUpstream stub;

    public static String bootstrapKey() {
        return System.getProperty(BOOTSTRAP_KEY_PROPERTY);
    }

    @Override
    public void init(Map<String, String> args) {
        infra.init(Map.of("database", "portcullis_gateway_test"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(infra.start());
        try {
            vertx = Vertx.vertx();
            stub = new StubUpstream(vertx);
            int stubPort = stub.start(new HttpServerOptions());
            URI redis = URI.create(config.get("quarkus.redis.hosts"));
            int relayPort = new RedisRelay(vertx, redis.getHost(), redis.getPort()).start();
            config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + relayPort);
            config.put("portcullis.gateway.upstreams.auth", "http://127.0.0.1:" + stubPort);
            config.put("portcullis.gateway.upstreams.secrets", "http://127.0.0.1:" + stubPort);
            config.put("portcullis.gateway.upstreams.exec", "http://127.0.0.1:" + stubPort);
            config.put("portcullis.gateway.upstreams.audit", "http://127.0.0.1:" + TestInfra.freePort());
            config.put("portcullis.gateway.read-timeout", "PT1S");
            config.put("portcullis.gateway.max-body-bytes", Long.toString(MAX_BODY));
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            StringBuilder id = new StringBuilder();
            SecureRandom r = new SecureRandom();
            for (int i = 0; i < 16; i++) {
                id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(r.nextInt(36)));
            }
            String key = "pcx_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            config.put("portcullis.bootstrap.api-key", key);
            System.setProperty(BOOTSTRAP_KEY_PROPERTY, key);
            // for a second gateway started by hand in a test
            config.forEach((k, v) -> System.setProperty(CONFIG_PREFIX + k, v));
            return config;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        RedisRelay.up();
        if (stub != null) {
            stub.stop();
        }
        if (vertx != null) {
            vertx.close();
        }
        infra.stop();
    }
}
