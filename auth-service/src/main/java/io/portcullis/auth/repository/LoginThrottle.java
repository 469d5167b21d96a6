package io.portcullis.auth.repository;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.config.LockoutConfig;
import io.portcullis.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Login-failure counters in Redis ({@code lua/login-failure.lua}, {@code lua/login-check.lua}): one
 * per account ({@code auth:fail:{a:<username>}}) and one per client address
 * ({@code auth:fail:{ip:<address>}}); each key in its own cluster slot and each with a TTL. The clock
 * is Redis' own ({@code TIME}) unless a test hands one in.
 */
@ApplicationScoped
public class LoginThrottle {

    /** A failure's consequence: how long the account and the address are now locked for (0 = not). */
    public record Failure(Duration accountLock, Duration addressLock) {
        public boolean lockedNow() {
            return !accountLock.isZero() || !addressLock.isZero();
        }
    }

    static final Duration MEMORY = Duration.ofHours(24);

    private final RedisScript failure;
    private final RedisScript check;
    private final ReactiveRedisDataSource redis;
    private final LockoutConfig config;
    private volatile Long fixedNow;

    public LoginThrottle(Redis lowLevel, ReactiveRedisDataSource redis, LockoutConfig config) {
        this.failure = new RedisScript(lowLevel, "lua/login-failure.lua");
        this.check = new RedisScript(lowLevel, "lua/login-check.lua");
        this.redis = redis;
        this.config = config;
    }

    public static String accountKey(String username) {
        return "auth:fail:{a:" + username.toLowerCase(Locale.ROOT) + "}";
    }

    public static String addressKey(String address) {
        return "auth:fail:{ip:" + address + "}";
    }

    /** The longest remaining lock of the account and the address, or zero. */
    public Uni<Duration> lockRemaining(String username, String address) {
        return remaining(accountKey(username)).chain(a -> remaining(addressKey(address)).map(b -> a.compareTo(b) >= 0 ? a : b));
    }

    private Uni<Duration> remaining(String key) {
        return check.run(List.of(key), List.of(now())).map(r -> Duration.ofMillis(r.toLong()));
    }

    public Uni<Failure> recordFailure(String username, String address) {
        return fail(accountKey(username), config.accountFailures())
                .chain(account -> fail(addressKey(address), config.addressFailures()).map(addr -> new Failure(account, addr)));
    }

    private Uni<Duration> fail(String key, int threshold) {
        return failure.run(List.of(key), RedisScript.args(now(), threshold, config.window().toMillis(),
                config.baseLock().toMillis(), config.maxLock().toMillis(), MEMORY.toMillis()))
                .map(r -> Duration.ofMillis(r.get(0).toLong()));
    }

    /** A success resets the account's count and lock history (not the address's). */
    public Uni<Void> recordSuccess(String username) {
        return redis.key().del(accountKey(username)).replaceWithVoid();
    }

    private String now() {
        Long n = fixedNow;
        return n == null ? "" : Long.toString(n);
    }

    /** Tests only: run the scripts with this clock (ms) instead of Redis TIME; null restores it. */
    public void useClock(Long nowMillis) {
        this.fixedNow = nowMillis;
    }
}
