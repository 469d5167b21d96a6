package io.portcullis.auth.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The lockout scripts straight against the real Redis, with an explicit clock (test profile: first
 * lock 2 s, cap 8 s, 10 failures per account, window 15 min).
 */
@QuarkusTest
class LoginThrottleScriptTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final long T0 = 1_900_000_000_000L;

    @Inject
    LoginThrottle throttle;
    @Inject
    ReactiveRedisDataSource redis;

    /** Addresses handed out by {@link #address()}: the clock is pinned, so their counts must not outlive the test. */
    private final java.util.List<String> addresses = new java.util.ArrayList<>();

    @AfterEach
    void realClock() {
        throttle.useClock(null);
        for (String a : addresses) {
            redis.key().del(LoginThrottle.addressKey(a)).await().atMost(WAIT);
        }
    }

    /** A fresh address: Redis is shared across runs, and a fixed one would pile up failures until it locks. */
    private String address() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        String a = "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(1, 255);
        addresses.add(a);
        return a;
    }

    private LoginThrottle.Failure fail(String user, String address, long now) {
        throttle.useClock(now);
        return throttle.recordFailure(user, address).await().atMost(WAIT);
    }

    private Duration remaining(String user, String address, long now) {
        throttle.useClock(now);
        return throttle.lockRemaining(user, address).await().atMost(WAIT);
    }

    @Test
    void locksOnTheTenthFailureWithinTheWindow() {
        String user = "u-" + UUID.randomUUID();
        String ip = address();
        for (int i = 1; i < 10; i++) {
            assertEquals(Duration.ZERO, fail(user, ip, T0 + i).accountLock());
        }
        assertEquals(Duration.ofSeconds(2), fail(user, ip, T0 + 10).accountLock());
        assertEquals(Duration.ofMillis(1990), remaining(user, ip, T0 + 20));
        assertEquals(Duration.ZERO, remaining(user, ip, T0 + 10 + 2000));
    }

    @Test
    void failuresSpreadBeyondTheWindowNeverLock() {
        String user = "u-" + UUID.randomUUID();
        long minute = 60_000;
        for (int i = 0; i < 30; i++) {
            assertEquals(Duration.ZERO, fail(user, address(), T0 + i * 2 * minute).accountLock(),
                    "one failure every two minutes: never ten within 15 minutes");
        }
    }

    @Test
    void eachFurtherLockDoublesUpToTheCapAndNeverBecomesPermanent() {
        String user = "u-" + UUID.randomUUID();
        long now = T0;
        long[] expected = { 2000, 4000, 8000, 8000, 8000 };
        String[] ips = new String[10];
        for (int i = 0; i < ips.length; i++) {
            ips[i] = address();
        }
        String other = address();
        for (long lock : expected) {
            LoginThrottle.Failure f = null;
            for (int i = 0; i < 10; i++) {
                f = fail(user, ips[i], ++now);
            }
            assertEquals(Duration.ofMillis(lock), f.accountLock());
            now += lock; // wait the lock out
            assertEquals(Duration.ZERO, remaining(user, other, now));
        }
    }

    @Test
    void failuresDuringALockAreNotCountedAndCannotExtendIt() {
        String user = "u-" + UUID.randomUUID();
        String ip = address();
        for (int i = 1; i <= 10; i++) {
            fail(user, ip, T0 + i);
        }
        for (int i = 0; i < 50; i++) {
            fail(user, ip, T0 + 100 + i);
        }
        assertEquals(Duration.ZERO, remaining(user, ip, T0 + 10 + 2000), "still only the first 2 s lock");
    }

    @Test
    void aSuccessResetsTheAccountButNotTheAddress() {
        String user = "u-" + UUID.randomUUID();
        String ip = address();
        for (int i = 1; i <= 9; i++) {
            fail(user, ip, T0 + i);
        }
        throttle.recordSuccess(user).await().atMost(WAIT);
        assertEquals(Duration.ZERO, fail(user, ip, T0 + 20).accountLock(), "count restarted at 1");
    }

    @Test
    void anAddressIsLockedAcrossAccounts() {
        // test profile: 1000 failures per address
        String ip = address();
        LoginThrottle.Failure last = null;
        for (int i = 1; i <= 1000; i++) {
            last = fail("spray-" + i + "-" + UUID.randomUUID(), ip, T0 + i);
        }
        assertEquals(Duration.ofSeconds(2), last.addressLock());
        assertTrue(remaining("someone-else-" + UUID.randomUUID(), ip, T0 + 1001).toMillis() > 0,
                "any account from that address is refused");
    }

    private LoginThrottle.Admission admit(String user, String address, long now) {
        throttle.useClock(now);
        return throttle.admit(user, address).await().atMost(WAIT);
    }

    /**
     * Verifications in flight count against the failures left: with 7 failures, 3 may be checked at
     * once and a fourth waits, so parallel guesses can never make more than 10 failures before the lock.
     */
    @Test
    void parallelVerificationsNeverOvertakeTheLock() {
        String user = "u-" + UUID.randomUUID();
        String ip = address();
        for (int i = 1; i <= 7; i++) {
            fail(user, ip, T0 + i); // as admitted ones that failed
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(admit(user, ip, T0 + 10).admitted(), "place " + i);
        }
        LoginThrottle.Admission fourth = admit(user, ip, T0 + 11);
        assertFalse(fourth.admitted());
        assertEquals(Duration.ZERO, fourth.locked(), "not locked: too many in flight");
        assertEquals(Duration.ZERO, fail(user, ip, T0 + 12).accountLock(), "8 failures, 2 in flight");
        assertFalse(admit(user, ip, T0 + 13).admitted(), "8 + 2 = the threshold");
        throttle.release(user).await().atMost(WAIT); // one ends in an error, neither right nor wrong
        assertTrue(admit(user, ip, T0 + 14).admitted());
        assertEquals(Duration.ZERO, fail(user, ip, T0 + 15).accountLock(), "9 failures");
        assertEquals(Duration.ofSeconds(2), fail(user, ip, T0 + 16).accountLock(), "the tenth locks");
        LoginThrottle.Admission locked = admit(user, ip, T0 + 17);
        assertFalse(locked.admitted());
        assertEquals(Duration.ofMillis(1999), locked.locked());
    }

    @Test
    void aSuccessGivesItsPlaceBackAndResetsTheAccount() {
        String user = "u-" + UUID.randomUUID();
        String ip = address();
        for (int i = 1; i <= 9; i++) {
            fail(user, ip, T0 + i);
        }
        assertTrue(admit(user, ip, T0 + 10).admitted());
        throttle.recordSuccess(user).await().atMost(WAIT);
        assertEquals(0L, redis.key().exists(LoginThrottle.inFlightKey(user)).await().atMost(WAIT) ? 1L : 0L);
        for (int i = 0; i < 9; i++) {
            assertTrue(admit(user, ip, T0 + 20).admitted(), "all failures forgotten: place " + i);
        }
        long ttl = redis.key().pttl(LoginThrottle.inFlightKey(user)).await().atMost(WAIT);
        assertTrue(ttl > 0 && ttl <= LoginThrottle.ADMISSION.toMillis(), "an admission never given back expires: " + ttl);
    }

    @Test
    void aLockedAddressAdmitsNothingAndTakesNoPlace() {
        String ip = address();
        for (int i = 1; i <= 1000; i++) {
            throttle.useClock(T0 + i);
            throttle.recordAddressFailure(ip).await().atMost(WAIT);
        }
        String user = "u-" + UUID.randomUUID();
        LoginThrottle.Admission a = admit(user, ip, T0 + 1001);
        assertFalse(a.admitted());
        assertTrue(a.locked().toMillis() > 0);
        assertFalse(redis.key().exists(LoginThrottle.inFlightKey(user)).await().atMost(WAIT));
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() {
        assertEquals(LoginThrottle.addressKey("2001:db8:1:2::1"), LoginThrottle.addressKey("2001:db8:1:2:ffff:1:2:3"));
        assertEquals("auth:fail:{ip:2001:db8:1:2::/64}", LoginThrottle.addressKey("2001:0db8:0001:0002:0:0:0:9"));
        org.junit.jupiter.api.Assertions.assertNotEquals(LoginThrottle.addressKey("2001:db8:1:2::1"),
                LoginThrottle.addressKey("2001:db8:1:3::1"));
        assertEquals("auth:fail:{ip:203.0.113.9}", LoginThrottle.addressKey("203.0.113.9"));
    }

    @Test
    void everyCounterKeyHasATtl() {
        String user = "u-" + UUID.randomUUID();
        String ip = address();
        fail(user, ip, T0);
        long ttl = redis.key().pttl(LoginThrottle.accountKey(user)).await().atMost(WAIT);
        assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(15).toMillis(), "a counter never locked lives for its window: " + ttl);
        for (int i = 1; i < 10; i++) {
            fail(user, ip, T0 + i);
        }
        long locked = redis.key().pttl(LoginThrottle.accountKey(user)).await().atMost(WAIT);
        assertTrue(locked > Duration.ofMinutes(15).toMillis() && locked <= Duration.ofMinutes(15).plus(LoginThrottle.MEMORY).toMillis(),
                "a lock history is remembered: " + locked);
        assertTrue(redis.key().pttl(LoginThrottle.addressKey(ip)).await().atMost(WAIT) > 0);
    }
}
