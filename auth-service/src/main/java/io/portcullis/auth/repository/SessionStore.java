package io.portcullis.auth.repository;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.config.SessionConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.smallrye.mutiny.Uni;

/**
 * Sessions in Redis. A session token is 32 bytes from {@link SecureRandom}, base64url; only its
 * SHA-256 is stored ({@code auth:session:<hex digest>}), so a copy of Redis opens no session. Each
 * session has its own id ({@code sid}, put in the access tokens it begets), an idle expiry refreshed
 * on every use (the key's TTL) and an absolute end. A per-user index
 * ({@code auth:user-sessions:<userId>}) lets "log out everywhere" and disabling a user end them all;
 * {@code auth:sessions} (score = idle expiry) counts the live ones.
 */
@ApplicationScoped
public class SessionStore {

    /** A live session. */
    public record Session(String sid, UUID userId, String username, Instant idleExpiresAt, Instant absoluteExpiresAt) {
    }

    /** A new session and its token (returned once, never stored). */
    public record Created(String token, Session session) {
    }

    static final String ALL = "auth:sessions";

    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveKeyCommands<String> keys;
    private final ReactiveSortedSetCommands<String, String> live;
    private final SessionConfig config;
    private final SecureRandom random = new SecureRandom();

    public SessionStore(ReactiveRedisDataSource redis, SessionConfig config) {
        this.hashes = redis.hash(String.class);
        this.keys = redis.key();
        this.live = redis.sortedSet(String.class);
        this.config = config;
    }

    public Uni<Created> create(UUID userId, String username) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String digest = digest(token);
        String sid = UUID.randomUUID().toString();
        Instant now = Instant.now();
        Instant absolute = now.plus(config.absoluteTimeout());
        Instant idle = min(now.plus(config.idleTimeout()), absolute);
        String key = sessionKey(digest);
        Session s = new Session(sid, userId, username, idle, absolute);
        return hashes.hset(key, Map.of("sid", sid, "uid", userId.toString(), "username", username,
                "created", Long.toString(now.toEpochMilli()), "absolute", Long.toString(absolute.toEpochMilli())))
                .chain(() -> keys.pexpire(key, Duration.between(now, idle)))
                .chain(() -> hashes.hset(indexKey(userId), digest, sid))
                .chain(() -> keys.pexpire(indexKey(userId), config.absoluteTimeout()))
                .chain(() -> live.zadd(ALL, idle.toEpochMilli(), digest))
                .replaceWith(new Created(token, s));
    }

    /** The session of {@code token}, refreshed (idle expiry pushed back) when {@code touch}. */
    public Uni<Optional<Session>> find(String token, boolean touch) {
        if (token == null || token.length() != 43) {
            return Uni.createFrom().item(Optional.empty());
        }
        String digest = digest(token);
        String key = sessionKey(digest);
        return hashes.hgetall(key).chain(h -> {
            if (h == null || h.isEmpty()) {
                return Uni.createFrom().item(Optional.<Session>empty());
            }
            Instant now = Instant.now();
            Instant absolute = Instant.ofEpochMilli(Long.parseLong(h.get("absolute")));
            UUID userId = UUID.fromString(h.get("uid"));
            if (!absolute.isAfter(now)) {
                return remove(digest, userId).replaceWith(Optional.<Session>empty());
            }
            Instant idle = min(now.plus(config.idleTimeout()), absolute);
            Session s = new Session(h.get("sid"), userId, h.get("username"), idle, absolute);
            if (!touch) {
                return Uni.createFrom().item(Optional.of(s));
            }
            return keys.pexpire(key, Duration.between(now, idle))
                    .chain(() -> live.zadd(ALL, idle.toEpochMilli(), digest))
                    .replaceWith(Optional.of(s));
        });
    }

    /** Ends the session of {@code token}; its sid, or empty when there was none. */
    public Uni<Optional<String>> delete(String token) {
        if (token == null || token.length() != 43) {
            return Uni.createFrom().item(Optional.empty());
        }
        String digest = digest(token);
        return hashes.hgetall(sessionKey(digest)).chain(h -> {
            if (h == null || h.isEmpty()) {
                return Uni.createFrom().item(Optional.<String>empty());
            }
            return remove(digest, UUID.fromString(h.get("uid"))).replaceWith(Optional.of(h.get("sid")));
        });
    }

    /** The sids of a user's sessions, except {@code keepSid} when given. */
    public Uni<List<String>> sids(UUID userId, String keepSid) {
        return hashes.hgetall(indexKey(userId)).map(index -> index.values().stream()
                .filter(sid -> !sid.equals(keepSid)).toList());
    }

    /** Ends every session of a user, except {@code keepSid} when given; the sids ended. */
    public Uni<List<String>> deleteAll(UUID userId, String keepSid) {
        return hashes.hgetall(indexKey(userId)).chain(index -> {
            List<String> ended = new ArrayList<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Map.Entry<String, String> e : index.entrySet()) {
                if (e.getValue().equals(keepSid)) {
                    continue;
                }
                ended.add(e.getValue());
                String digest = e.getKey();
                chain = chain.chain(() -> remove(digest, userId));
            }
            return chain.replaceWith(ended);
        });
    }

    private Uni<Void> remove(String digest, UUID userId) {
        return keys.del(sessionKey(digest))
                .chain(() -> hashes.hdel(indexKey(userId), digest))
                .chain(() -> live.zrem(ALL, digest))
                .replaceWithVoid();
    }

    /** Sessions alive now (the expired ones are forgotten on the way). */
    public Uni<Long> countLive() {
        return live.zremrangebyscore(ALL, ScoreRange.from(Double.NEGATIVE_INFINITY, (double) System.currentTimeMillis()))
                .chain(() -> live.zcard(ALL));
    }

    static String sessionKey(String digest) {
        return "auth:session:" + digest;
    }

    static String indexKey(UUID userId) {
        return "auth:user-sessions:" + userId;
    }

    public static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
