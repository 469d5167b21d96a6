package io.portcullis.common.jwt;

import java.security.PublicKey;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.crypto.SecretKey;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * The {@link JWTParser} that Quarkus' bearer-token authentication uses, with a memory of the tokens
 * it verified: a token seen before (the exact same string, so the same signature) is not verified
 * again until it expires (by {@code exp} or by {@code mp.jwt.verify.token.age}) or
 * {@link VerifiedTokenConfig#ttl()} passes, whichever comes first.
 *
 * <ul>
 * <li>Only successes are remembered: a forged, tampered, expired or otherwise refused token is
 * verified, and refused, every time.</li>
 * <li>What is checked per request is unchanged: the revocation list ({@link RevokedSessionAugmentor})
 * and the roles still run on every request, so a logged-out session is refused at once.</li>
 * <li>Bounded: at most {@link VerifiedTokenConfig#maxEntries()} tokens, least recently used first out.</li>
 * </ul>
 *
 * Metrics: {@code cache_gets_total{cache="verified-tokens",result="hit|miss"}} and the size.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokenCache implements JWTParser {

    private final DefaultJWTParser delegate;
    private final Cache<String, JsonWebToken> verified;
    private final long maxTokenAgeSeconds;

    public VerifiedTokenCache(DefaultJWTParser delegate, VerifiedTokenConfig config, MeterRegistry registry,
            @ConfigProperty(name = "mp.jwt.verify.token.age") Optional<Long> maxTokenAge) {
        this.delegate = delegate;
        this.maxTokenAgeSeconds = maxTokenAge.orElse(0L);
        if (config.maxEntries() <= 0 || config.ttl().isZero() || config.ttl().isNegative()) {
            this.verified = null;
            return;
        }
        long ttlNanos = config.ttl().toNanos();
        this.verified = Caffeine.newBuilder().maximumSize(config.maxEntries()).recordStats()
                .expireAfter(new Expiry<String, JsonWebToken>() {
                    @Override
                    public long expireAfterCreate(String token, JsonWebToken jwt, long currentTime) {
                        return Math.min(ttlNanos, untilExpiry(jwt));
                    }

                    @Override
                    public long expireAfterUpdate(String token, JsonWebToken jwt, long currentTime, long currentDuration) {
                        return expireAfterCreate(token, jwt, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String token, JsonWebToken jwt, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                }).build();
        CaffeineCacheMetrics.monitor(registry, verified, "verified-tokens");
    }

    /**
     * Nanoseconds until the verifier would refuse {@code jwt} by the clock: its {@code exp}, or its
     * {@code iat} plus {@code mp.jwt.verify.token.age} if that comes first; 0 once passed, or when it
     * has no {@code exp}.
     */
    long untilExpiry(JsonWebToken jwt) {
        long end = jwt.getExpirationTime();
        if (end <= 0) {
            return 0;
        }
        if (maxTokenAgeSeconds > 0) {
            end = Math.min(end, jwt.getIssuedAtTime() + maxTokenAgeSeconds);
        }
        long millis = end * 1000 - System.currentTimeMillis();
        return millis <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        if (verified == null || token == null) {
            return delegate.parse(token);
        }
        JsonWebToken known = verified.getIfPresent(token);
        if (known != null) {
            return known;
        }
        JsonWebToken jwt = delegate.parse(token);
        if (untilExpiry(jwt) > 0) {
            verified.put(token, jwt);
        }
        return jwt;
    }

    /** Tokens remembered now (for diagnostics and tests). */
    public long size() {
        if (verified == null) {
            return 0;
        }
        verified.cleanUp();
        return verified.estimatedSize();
    }

    /** Forgets every verified token, e.g. after the trusted keys changed. */
    public void clear() {
        if (verified != null) {
            verified.invalidateAll();
        }
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return delegate.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return delegate.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, java.security.PrivateKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return delegate.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return delegate.parseOnly(token);
    }
}
