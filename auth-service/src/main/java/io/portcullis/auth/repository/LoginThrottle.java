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

    /**
     * Whether a password may be verified now: {@code locked} non-zero while the account or the
     * address is locked; not {@code admitted} either then or while the account already has as many
     * verifications in flight as it has failures left before its lock. An admitted attempt is given
     * back once, by {@link #recordFailure}, {@link #recordSuccess} or {@link #release}.
     */
    public record Admission(Duration locked, boolean admitted, long epoch) {
    }

    static final Duration MEMORY = Duration.ofHours(24);
    /** How long an admission that is never given back (its instance died) holds its place. */
    static final Duration ADMISSION = Duration.ofSeconds(60);

    private final RedisScript failure;
    private final RedisScript check;
    private final RedisScript begin;
    private final RedisScript end;
    private final ReactiveRedisDataSource redis;
    private final LockoutConfig config;
    private volatile Long fixedNow;

    public LoginThrottle(Redis lowLevel, ReactiveRedisDataSource redis, LockoutConfig config) {
        this.failure = new RedisScript(lowLevel, "lua/login-failure.lua");
        this.check = new RedisScript(lowLevel, "lua/login-check.lua");
        this.begin = new RedisScript(lowLevel, "lua/login-begin.lua");
        this.end = new RedisScript(lowLevel, "lua/login-end.lua");
        this.redis = redis;
        this.config = config;
    }

    public static String accountKey(String username) {
        return "auth:fail:{a:" + username.toLowerCase(Locale.ROOT) + "}";
    }

    /** The account's verifications in flight, in the same cluster slot as its counter. */
    public static String inFlightKey(String username) {
        return "auth:inflight:{a:" + username.toLowerCase(Locale.ROOT) + "}";
    }

    /**
     * The user's session epoch ({@code auth:epoch:{a:<username>}}): moved by everything that ends all
     * of a user's sessions (disable, fewer groups, password change, log out everywhere). A login reads
     * it when admitted and again once its session exists; if it moved, the session is dropped.
     */
    public static String epochKey(String username) {
        return "auth:epoch:{a:" + username.toLowerCase(Locale.ROOT) + "}";
    }

    /** The user's session epoch now (0 when it never moved). */
    public Uni<Long> epoch(String username) {
        return redis.value(Long.class).get(epochKey(username)).map(v -> v == null ? 0L : v);
    }

    /** Moves the user's session epoch (kept a day: a login in flight lasts seconds). */
    public Uni<Void> bumpEpoch(String username) {
        return redis.value(Long.class).incr(epochKey(username))
                .chain(() -> redis.key().pexpire(epochKey(username), MEMORY)).replaceWithVoid();
    }

    public static String addressKey(String address) {
        return "auth:fail:{ip:" + io.portcullis.common.http.ClientIp.network(address) + "}"; // an IPv6 client's /64
    }


    /** The longest remaining lock of the account and the address, or zero. */
    Uni<Duration> lockRemaining(String username, String address) { // the locks as they stand, for the script tests
        return remaining(accountKey(username)).chain(a -> remaining(addressKey(address)).map(b -> a.compareTo(b) >= 0 ? a : b));
    }

    private Uni<Duration> remaining(String key) {
        return check.run(List.of(key), List.of(now())).map(r -> Duration.ofMillis(r.toLong()));
    }

    /**
     * Admits one verification of a password for {@code username} from {@code address}: the address's
     * lock first, then, atomically, the account's lock and its verifications in flight
     * ({@code lua/login-begin.lua}), so that parallel guesses cannot overtake the account's lock.
     */
    public Uni<Admission> admit(String username, String address) {
        return remaining(addressKey(address)).chain(addr -> {
            if (!addr.isZero()) {
                return Uni.createFrom().item(new Admission(addr, false, 0));
            }
            return begin.run(List.of(accountKey(username), inFlightKey(username), epochKey(username)),
                    RedisScript.args(now(), config.accountFailures(), config.window().toMillis(), ADMISSION.toMillis()))
                    .map(r -> new Admission(Duration.ofMillis(r.get(0).toLong()), r.get(1).toInteger() == 1, r.get(2).toLong()));
        });
    }

    /** How long the address stays locked, or zero. */
    public Uni<Duration> addressLock(String address) {
        return remaining(addressKey(address));
    }

    /** A failure counted on the address alone (a service client's wrong secret). */
    public Uni<Duration> recordAddressFailure(String address) {
        return fail(List.of(addressKey(address)), config.addressFailures());
    }

    /** Gives back an admission whose password was not found wrong or right (an error came first). */
    public Uni<Void> release(String username) {
        return end.run(List.of(accountKey(username), inFlightKey(username)), List.of("0")).replaceWithVoid();
    }

    /** A wrong password after {@link #admit}: counted on the account (its admission given back) and the address. */
    public Uni<Failure> recordFailure(String username, String address) {
        return fail(List.of(accountKey(username), inFlightKey(username)), config.accountFailures())
                .chain(account -> fail(List.of(addressKey(address)), config.addressFailures()).map(addr -> new Failure(account, addr)));
    }

    private Uni<Duration> fail(List<String> keys, int threshold) {
        return failure.run(keys, RedisScript.args(now(), threshold, config.window().toMillis(),
                config.baseLock().toMillis(), config.maxLock().toMillis(), MEMORY.toMillis()))
                .map(r -> Duration.ofMillis(r.get(0).toLong()));
    }

    /**
     * A right password after {@link #admit}: the admission is given back and the account's count and
     * lock history are reset (not the address's).
     */
    /** Forgets the account's failures and lock (an admin's unlock); its verifications in flight are left alone. */
    public Uni<Void> clearAccount(String username) {
        return redis.key().del(accountKey(username)).replaceWithVoid();
    }

    public Uni<Void> recordSuccess(String username) {
        return end.run(List.of(accountKey(username), inFlightKey(username)), List.of("1")).replaceWithVoid();
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
