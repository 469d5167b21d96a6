package io.portcullis.common.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.common.testing.TestTokens;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.KeyUtils;

/** The verified-token memory in front of SmallRye JWT's verifier, with the real verifier behind it. */
class VerifiedTokenCacheTest {

    /** SmallRye's verifier with the test key and no clock skew, counting the verifications it does. */
    static final class CountingParser extends DefaultJWTParser {
        final AtomicInteger verifications = new AtomicInteger();

        CountingParser() {
            super(context());
        }

        @Override
        public JsonWebToken parse(String token) throws ParseException {
            verifications.incrementAndGet();
            return super.parse(token);
        }

        static JWTAuthContextInfo context() {
            try (var in = VerifiedTokenCacheTest.class.getClassLoader().getResourceAsStream("test-keys/jwt-public.pem")) {
                PublicKey key = KeyUtils.decodePublicKey(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII),
                        SignatureAlgorithm.RS256);
                JWTAuthContextInfo info = new JWTAuthContextInfo(key, TestTokens.ISSUER);
                info.setExpectedAudience(Set.of(TestTokens.AUDIENCE));
                info.setClockSkew(0);
                return info;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static VerifiedTokenConfig config(int maxEntries, Duration ttl) {
        return new VerifiedTokenConfig() {
            @Override
            public int maxEntries() {
                return maxEntries;
            }

            @Override
            public Duration ttl() {
                return ttl;
            }
        };
    }

    private final CountingParser verifier = new CountingParser();

    private VerifiedTokenCache cache(int maxEntries, Duration ttl, Long maxTokenAge) {
        return new VerifiedTokenCache(verifier, config(maxEntries, ttl), new SimpleMeterRegistry(), Optional.ofNullable(maxTokenAge));
    }

    @Test
    void aTokenSeenBeforeIsNotVerifiedAgain() throws Exception {
        VerifiedTokenCache cache = cache(100, Duration.ofMinutes(1), 900L);
        String token = TestTokens.admin().sign();
        JsonWebToken first = cache.parse(token);
        assertSame(first, cache.parse(token));
        assertSame(first, cache.parse(token));
        assertEquals(1, verifier.verifications.get());
        assertEquals(1, cache.size());

        cache.parse(TestTokens.admin().sign());
        assertEquals(2, verifier.verifications.get(), "another token, even with the same claims, is verified");
    }

    @Test
    void refusedTokensAreVerifiedAndRefusedEveryTime() {
        VerifiedTokenCache cache = cache(100, Duration.ofMinutes(1), 900L);
        String forged = TestTokens.admin().signWithUntrustedKey();
        String token = TestTokens.user("user:1", "user").sign();
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + (parts[2].charAt(0) == 'A' ? 'B' : 'A') + parts[2].substring(1);
        for (int i = 0; i < 3; i++) {
            assertThrows(ParseException.class, () -> cache.parse(forged));
            assertThrows(ParseException.class, () -> cache.parse(tampered));
            assertThrows(ParseException.class, () -> cache.parse(TestTokens.admin().unsigned()));
        }
        assertEquals(9, verifier.verifications.get());
        assertEquals(0, cache.size());
    }

    @Test
    void aRememberedTokenIsRefusedOnceItsExpiryPasses() throws Exception {
        VerifiedTokenCache cache = cache(100, Duration.ofMinutes(1), 900L);
        String token = TestTokens.admin().expiresAt(Instant.now().plusSeconds(2)).sign();
        cache.parse(token);
        cache.parse(token);
        assertEquals(1, verifier.verifications.get());
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> refused(cache, token));
        int verified = verifier.verifications.get();
        assertThrows(ParseException.class, () -> cache.parse(token));
        assertEquals(verified + 1, verifier.verifications.get(), "an expired token goes to the verifier, and is refused, every time");
    }

    @Test
    void aRememberedTokenIsRefusedOnceItIsOlderThanTheMaximumTokenAge() throws Exception {
        // exp an hour away, but iat + token.age (60 s) is 2 s from now
        VerifiedTokenCache cache = cache(100, Duration.ofMinutes(1), 60L);
        String token = TestTokens.admin().issuedAt(Instant.now().minusSeconds(58)).expiresAt(Instant.now().plusSeconds(3600)).sign();
        cache.parse(token);
        cache.parse(token);
        assertEquals(1, verifier.verifications.get());
        // this verifier has no token-age limit, so it accepts the token again: what matters is that it is asked
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            cache.parse(token);
            return verifier.verifications.get() > 1;
        });
        int verified = verifier.verifications.get();
        cache.parse(token);
        assertEquals(verified + 1, verifier.verifications.get(), "past its token age a token is never remembered again");
    }

    @Test
    void nothingIsRememberedLongerThanTheTtl() throws Exception {
        VerifiedTokenCache cache = cache(100, Duration.ofSeconds(1), 900L);
        String token = TestTokens.admin().sign();
        long start = System.nanoTime();
        cache.parse(token);
        Awaitility.await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50)).until(() -> {
            cache.parse(token);
            return verifier.verifications.get() > 1;
        });
        org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - start >= Duration.ofSeconds(1).toNanos(),
                "remembered for the TTL, then verified again");
    }

    @Test
    void zeroEntriesVerifiesEveryRequest() throws Exception {
        VerifiedTokenCache cache = cache(0, Duration.ofMinutes(1), 900L);
        String token = TestTokens.admin().sign();
        cache.parse(token);
        cache.parse(token);
        assertEquals(2, verifier.verifications.get());
    }

    private static boolean refused(VerifiedTokenCache cache, String token) {
        try {
            cache.parse(token);
            return false;
        } catch (ParseException e) {
            return true;
        }
    }
}
