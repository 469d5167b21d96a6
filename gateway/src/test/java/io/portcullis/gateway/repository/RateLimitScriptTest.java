package io.portcullis.gateway.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

/** {@code lua/rate-limit.lua} straight against the real Redis, with an explicit clock. */
@QuarkusTest
class RateLimitScriptTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final long T0 = 1_900_000_000_000_000L; // microseconds

    @Inject
    RateLimiter limiter;
    @Inject
    ReactiveRedisDataSource redis;

    @AfterEach
    void realClock() {
        limiter.useClock(null);
    }

    private RateLimiter.Verdict at(long micros, RateLimiter.Limit... limits) {
        limiter.useClock(micros);
        return limiter.check(List.of(limits)).await().atMost(WAIT);
    }

    private static RateLimiter.Limit limit(String name, int q, Duration w) {
        return new RateLimiter.Limit(name, "rl:{test-" + UUID.randomUUID() + "}:" + name, q, w);
    }

    @Test
    void aBurstOfExactlyQPassesFromRestThenOneEveryWOverQ() {
        RateLimiter.Limit l = limit("key", 10, Duration.ofSeconds(60));
        for (int i = 0; i < 10; i++) {
            RateLimiter.Verdict v = at(T0, l);
            assertTrue(v.allowed());
            assertEquals(9 - i, v.remaining());
        }
        RateLimiter.Verdict refused = at(T0, l);
        assertFalse(refused.allowed());
        assertEquals(Duration.ofSeconds(6), refused.retryAfter(), "W/Q = 6 s until the next slot");
        assertFalse(at(T0 + 5_999_999, l).allowed());
        assertTrue(at(T0 + 6_000_000, l).allowed());
        assertFalse(at(T0 + 6_000_001, l).allowed());
    }

    @Test
    void isExactForLargeLimitsWhereIntegerIntervalsWouldRound() {
        // W/Q = 1e6/7 us is no integer: a naive GCRA would let 8 through
        RateLimiter.Limit seven = limit("key", 7, Duration.ofSeconds(1));
        int passed = 0;
        for (int i = 0; i < 20; i++) {
            if (at(T0, seven).allowed()) {
                passed++;
            }
        }
        assertEquals(7, passed);
        // and Q larger than sqrt(W): 3000 per second
        RateLimiter.Limit many = limit("key", 3000, Duration.ofSeconds(1));
        passed = 0;
        for (int i = 0; i < 3100; i++) {
            if (at(T0, many).allowed()) {
                passed++;
            }
        }
        assertEquals(3000, passed);
    }

    @Test
    void aRefusalChargesNoLimit() {
        RateLimiter.Limit wide = limit("key", 100, Duration.ofSeconds(60));
        RateLimiter.Limit narrow = limit("route", 2, Duration.ofSeconds(60));
        assertTrue(at(T0, wide, narrow).allowed());
        assertTrue(at(T0, wide, narrow).allowed());
        RateLimiter.Verdict v = at(T0, wide, narrow);
        assertFalse(v.allowed());
        assertEquals("route", v.tightest().name());
        for (int i = 0; i < 50; i++) {
            at(T0, wide, narrow);
        }
        assertEquals(97, at(T0, wide).remaining(), "only the two allowed requests were charged to the wide limit");
    }

    @Test
    void fullyRecoversAfterAWindowOfSilence() {
        RateLimiter.Limit l = limit("key", 5, Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) {
            at(T0, l);
        }
        assertFalse(at(T0, l).allowed());
        assertEquals(4, at(T0 + 10_000_000, l).remaining());
    }

    @Test
    void keysExpireOnceAtRest() {
        RateLimiter.Limit l = limit("key", 5, Duration.ofSeconds(10));
        at(System.currentTimeMillis() * 1000, l);
        long ttl = redis.key().pttl(l.key()).await().atMost(WAIT);
        assertTrue(ttl > 0 && ttl <= 2_000 + 1_000, "ttl " + ttl);
    }

    @Test
    void concurrentCallersNeverOverAdmit() throws Exception {
        RateLimiter.Limit l = limit("key", 50, Duration.ofSeconds(3600));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
        for (int i = 0; i < 400; i++) {
            futures.add(pool.submit(() -> limiter.check(List.of(l)).await().atMost(WAIT).allowed()));
        }
        int passed = 0;
        for (var f : futures) {
            if (f.get()) {
                passed++;
            }
        }
        pool.shutdown();
        assertEquals(50, passed);
    }
}
