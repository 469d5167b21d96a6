package io.portcullis.gateway.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.domain.ApiKey;
import io.portcullis.gateway.repository.ApiKeyRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * API keys: {@code pcx_<keyId>_<secret>}, a 16-character id and 32 random bytes (base64url). Only
 * SHA-256 of the secret is stored and compared in constant time. Verified keys are held in memory for
 * a short while; a revocation is published on Redis ({@code gateway:key-revocations}) and every
 * gateway drops the key at once. Keys are accepted in the {@code X-API-Key} header only, never in a
 * query string.
 */
@ApplicationScoped
public class ApiKeys {

    public static final String HEADER = "X-API-Key";
    static final String CHANNEL = "gateway:key-revocations";
    /**
     * {@code pcx_} + key id (16 of {@code [a-z0-9]}) + {@code _} + secret (43 of base64url,
     * {@code [A-Za-z0-9_-]}): 64 characters. Checked on every request, so by hand rather than by regex.
     */
    static boolean wellFormed(String apiKey) {
        if (apiKey.length() != 64 || !apiKey.startsWith("pcx_") || apiKey.charAt(20) != '_') {
            return false;
        }
        for (int i = 4; i < 20; i++) {
            char c = apiKey.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        for (int i = 21; i < 64; i++) {
            char c = apiKey.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }
    private static final String ALPHANUM = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    /** Why a request's key was refused, or that it was not. */
    public enum Outcome {
        OK(0), MISSING(401), MALFORMED(403), UNKNOWN(403), REVOKED(403), EXPIRED(403), OUT_OF_SCOPE(403);

        public final int status;

        Outcome(int status) {
            this.status = status;
        }
    }

    /** What the gateway knows of a key while it serves requests. */
    public record KeyInfo(String keyId, String name, byte[] digest, List<String> scopes, Instant expiresAt,
            Integer requests, Integer windowSeconds, Instant revokedAt) {
    }

    public record Decision(Outcome outcome, KeyInfo key, String keyId) {
    }

    /** A key just made: its info and the one time its secret is seen. */
    public record Created(ApiKey key, String apiKey) {
    }

    private record Cached(KeyInfo key, long until) {
    }

    private final ApiKeyRepository repository;
    private final ReactiveRedisDataSource redis;
    private final GatewayConfig.KeyCache cacheConfig;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /**
     * Bumped by every revocation heard and every forgetting: a database load that began before a
     * revocation may have read the key unrevoked, so its result is used once but never cached.
     */
    private final java.util.concurrent.atomic.AtomicLong invalidations = new java.util.concurrent.atomic.AtomicLong();
    private final SecureRandom random = new SecureRandom();
    private volatile Cancellable subscription;

    public ApiKeys(ApiKeyRepository repository, ReactiveRedisDataSource redis, GatewayConfig config) {
        this.repository = repository;
        this.redis = redis;
        this.cacheConfig = config.keyCache();
    }

    void start(@Observes StartupEvent ignored) {
        subscribe();
    }

    private void subscribe() {
        subscription = redis.pubsub(String.class).subscribe(CHANNEL).subscribe().with(this::forget, failure -> {
            LOG.warnf("key revocation channel lost (%s); resubscribing and forgetting cached keys", failure.getMessage());
            invalidations.incrementAndGet();
            cache.clear();
            io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool()
                    .schedule(this::subscribe, 1, java.util.concurrent.TimeUnit.SECONDS);
        });
    }

    /** A key revoked (here or on another gateway): forgotten, and no load in flight caches it again. */
    void forget(String keyId) {
        invalidations.incrementAndGet();
        cache.remove(keyId);
    }

    void stop(@Observes ShutdownEvent ignored) {
        Cancellable s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    /** Verifies the header's key for a request to {@code path} (already normalised). */
    public Uni<Decision> verify(String header, String path) {
        Decision now = verifyFromMemory(header, path);
        if (now != null) {
            return Uni.createFrom().item(now);
        }
        String keyId = header.substring(4, 20);
        return info(keyId).map(k -> decide(k, keyId, header.substring(21), path));
    }

    /**
     * The decision when it needs no database (a malformed header, or a key held in memory), else null:
     * the gateway's hot path then goes on without any reactive pipeline.
     */
    public Decision verifyFromMemory(String header, String path) {
        if (header == null || header.isEmpty()) {
            return new Decision(Outcome.MISSING, null, null);
        }
        if (!wellFormed(header)) {
            return new Decision(Outcome.MALFORMED, null, null);
        }
        String keyId = header.substring(4, 20);
        String secret = header.substring(21);
        Cached c = cache.get(keyId);
        if (c != null && System.nanoTime() - c.until() < 0) {
            return decide(c.key(), keyId, secret, path);
        }
        return null;
    }

    static Decision decide(KeyInfo k, String keyId, String secret, String path) {
        if (k == null) {
            return new Decision(Outcome.UNKNOWN, null, keyId);
        }
        if (!MessageDigest.isEqual(k.digest(), sha256(secret))) {
            return new Decision(Outcome.UNKNOWN, null, keyId);
        }
        if (k.revokedAt() != null) {
            return new Decision(Outcome.REVOKED, k, keyId);
        }
        if (k.expiresAt() != null && !Instant.now().isBefore(k.expiresAt())) {
            return new Decision(Outcome.EXPIRED, k, keyId);
        }
        if (!inScope(k.scopes(), path)) {
            return new Decision(Outcome.OUT_OF_SCOPE, k, keyId);
        }
        return new Decision(Outcome.OK, k, keyId);
    }

    /** A scope is a path prefix on segment boundaries: {@code /secrets} covers {@code /secrets/x}, not {@code /secretsx}. */
    public static boolean inScope(List<String> scopes, String path) {
        for (String s : scopes) {
            if (s.equals("/") || path.equals(s) || path.startsWith(s + "/")) {
                return true;
            }
        }
        return false;
    }

    private Uni<KeyInfo> info(String keyId) {
        Cached c = cache.get(keyId);
        long now = System.nanoTime();
        if (c != null && now - c.until() < 0) {
            return Uni.createFrom().item(c.key());
        }
        long seen = invalidations.get();
        return load(keyId).ifNoItem().after(cacheConfig.lookupTimeout())
                .failWith(() -> new java.util.concurrent.TimeoutException("the key lookup took longer than "
                        + cacheConfig.lookupTimeout().toMillis() + " ms"))
                .invoke(k -> {
            if (cache.size() >= cacheConfig.maxSize()) {
                cache.clear();
            }
            Duration ttl = k == null ? cacheConfig.negativeTtl() : cacheConfig.ttl();
            cache.put(keyId, new Cached(k, System.nanoTime() + ttl.toNanos()));
            if (invalidations.get() != seen) {
                cache.remove(keyId); // a revocation arrived while this load was in flight: never keep what it read
            }
        });
    }

    @WithSession
    Uni<KeyInfo> load(String keyId) {
        return repository.findById(keyId).map(k -> k == null ? null : info(k));
    }

    static KeyInfo info(ApiKey k) {
        return new KeyInfo(k.keyId(), k.name(), k.secretSha256(), k.scopes(), k.expiresAt(), k.rateLimitRequests(),
                k.rateLimitWindowSeconds(), k.revokedAt());
    }

    /** Makes a key; the returned secret is never stored and never shown again. */
    @WithTransaction
    public Uni<Created> create(String name, List<String> scopes, Instant expiresAt, Integer requests, Integer windowSeconds,
            String createdBy) {
        StringBuilder id = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            id.append(ALPHANUM.charAt(random.nextInt(ALPHANUM.length())));
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiKey key = ApiKey.create(id.toString(), name, sha256(secret), scopes, expiresAt, requests, windowSeconds, createdBy);
        cache.remove(key.keyId());
        return repository.persist(key).map(k -> new Created(k, "pcx_" + k.keyId() + "_" + secret));
    }

    /** Stores a key given in full (the bootstrap key of DESIGN.md); false when the format is wrong. */
    @WithTransaction
    public Uni<ApiKey> importKey(String apiKey, String name, List<String> scopes, String createdBy) {
        if (apiKey == null || !wellFormed(apiKey)) {
            return Uni.createFrom().failure(new IllegalStateException(
                    "portcullis.bootstrap.api-key (PORTCULLIS_BOOTSTRAP_API_KEY_FILE) is not of the form pcx_<16 [a-z0-9]>_<43 base64url>"));
        }
        return repository.persist(ApiKey.create(apiKey.substring(4, 20), name, sha256(apiKey.substring(21)), scopes, null, null,
                null, createdBy));
    }

    @WithSession
    public Uni<List<ApiKey>> list() {
        return repository.findAll(io.quarkus.panache.common.Sort.by("createdAt")).list();
    }

    @WithSession
    public Uni<Long> count() {
        return repository.count();
    }

    /** What a revocation did: whether the key exists (and is now revoked), and whether every gateway was told. */
    public record Revocation(boolean found, boolean announced) {
    }

    /**
     * Revokes a key everywhere, at once. The database comes first: once it says revoked, the key is
     * revoked whatever happens next; an announcement that fails (Redis down) leaves the other gateways
     * trusting their copy until its TTL, and is said so, so that the caller can send it again.
     */
    public Uni<Revocation> revoke(String keyId) {
        return markRevoked(keyId).chain(found -> {
            cache.remove(keyId);
            if (!found) {
                return Uni.createFrom().item(new Revocation(false, false));
            }
            return redis.pubsub(String.class).publish(CHANNEL, keyId).map(n -> new Revocation(true, true))
                    .onFailure().recoverWithItem(e -> {
                        LOG.warnf("key %s is revoked, but the other gateways could not be told (%s); they trust their "
                                + "copy for up to %s", keyId, e.getMessage(), cacheConfig.ttl());
                        return new Revocation(true, false);
                    });
        });
    }

    @WithTransaction
    Uni<Boolean> markRevoked(String keyId) {
        return repository.findById(keyId).map(k -> {
            if (k == null) {
                return false;
            }
            k.revoke();
            return true;
        });
    }

    public static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
