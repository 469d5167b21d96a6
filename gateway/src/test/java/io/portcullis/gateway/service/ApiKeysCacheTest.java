package io.portcullis.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.inject.Vetoed;

import org.junit.jupiter.api.Test;

import io.portcullis.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;

/**
 * The verified-key cache against a revocation that overtakes a database load: the load read the key
 * before it was revoked, and answers the request that asked, but what it read is never cached, so the
 * next request goes to the database (and finds the revocation) instead of trusting a stale copy for
 * the cache's TTL.
 */
class ApiKeysCacheTest {

    static final String ID = "abcdefghij012345";
    static final String SECRET = "A".repeat(43);
    static final String HEADER = "pcx_" + ID + "_" + SECRET;
    static final ApiKeys.KeyInfo UNREVOKED = new ApiKeys.KeyInfo(ID, "k", ApiKeys.sha256(SECRET), List.of("/"), null, null,
            null, null);

    /** ApiKeys whose database answers when the test says so (not a bean: the real one stays the only ApiKeys). */
    @Vetoed
    static final class Keys extends ApiKeys {
        CompletableFuture<KeyInfo> pending = new CompletableFuture<>();
        int loads;

        Keys() {
            super(null, null, config());
        }

        @Override
        Uni<KeyInfo> load(String keyId) {
            loads++;
            return Uni.createFrom().completionStage(pending);
        }
    }

    @Test
    void aLoadThatARevocationOvertookAnswersOnceAndIsNeverCached() throws Exception {
        Keys keys = new Keys();
        CompletableFuture<ApiKeys.Decision> first = keys.verify(HEADER, "/secrets/x").subscribeAsCompletionStage();
        keys.forget(ID); // the revocation is heard while the load is in flight
        keys.pending.complete(UNREVOKED);
        assertEquals(ApiKeys.Outcome.OK, first.get(5, TimeUnit.SECONDS).outcome());
        assertNull(keys.verifyFromMemory(HEADER, "/secrets/x"), "what the overtaken load read must not be trusted from memory");
        keys.verify(HEADER, "/secrets/x").await().atMost(Duration.ofSeconds(5));
        assertEquals(2, keys.loads, "the next request asks the database again");
    }

    @Test
    void aLoadNobodyOvertookIsCached() {
        Keys keys = new Keys();
        keys.pending.complete(UNREVOKED);
        keys.verify(HEADER, "/secrets/x").await().atMost(Duration.ofSeconds(5));
        assertNotNull(keys.verifyFromMemory(HEADER, "/secrets/x"));
        assertEquals(1, keys.loads);
    }

    static GatewayConfig config() {
        GatewayConfig.KeyCache cache = (GatewayConfig.KeyCache) Proxy.newProxyInstance(ApiKeysCacheTest.class.getClassLoader(),
                new Class<?>[] { GatewayConfig.KeyCache.class }, (p, m, a) -> switch (m.getName()) {
                    case "ttl" -> Duration.ofSeconds(30);
                    case "negativeTtl" -> Duration.ofSeconds(2);
                    case "maxSize" -> 100;
                    case "lookupTimeout" -> Duration.ofSeconds(30);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (GatewayConfig) Proxy.newProxyInstance(ApiKeysCacheTest.class.getClassLoader(),
                new Class<?>[] { GatewayConfig.class }, (p, m, a) -> {
                    if (m.getName().equals("keyCache")) {
                        return cache;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }
}
