package io.portcullis.auth.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.auth.config.PasswordConfig;
import io.portcullis.auth.domain.PasswordHash;
import io.portcullis.common.problem.ProblemException;

/** Hashing without Quarkus: formats, verification, upgrades, and the bounded pool. */
class PasswordHasherTest {

    static PasswordConfig config(PasswordConfig.Algorithm algorithm, int threads, int queue) {
        return new PasswordConfig() {
            public Algorithm algorithm() {
                return algorithm;
            }

            public int argon2MemoryKib() {
                return 19456;
            }

            public int argon2Iterations() {
                return 2;
            }

            public int argon2Parallelism() {
                return 1;
            }

            public int pbkdf2Iterations() {
                return 600_000;
            }

            public OptionalInt hashingThreads() {
                return OptionalInt.of(threads);
            }

            public int hashingQueue() {
                return queue;
            }

            public int minLength() {
                return 12;
            }

            public int maxLength() {
                return 128;
            }

            public int minStrength() {
                return 3;
            }

            public Optional<List<String>> bannedWords() {
                return Optional.empty();
            }
        };
    }

    static PasswordHasher hasher(PasswordConfig.Algorithm algorithm) {
        PasswordConfig c = config(algorithm, 2, 16);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new PasswordHasher(c, new HashingPool(c, registry), registry);
    }

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void argon2idHashesAreOwaspParameterisedPhcStringsWithFreshSalts() {
        PasswordHasher h = hasher(PasswordConfig.Algorithm.ARGON2ID);
        String a = h.hash("correct horse battery staple").await().atMost(WAIT);
        String b = h.hash("correct horse battery staple").await().atMost(WAIT);
        assertTrue(a.matches("^\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$"), a);
        assertNotEquals(a, b, "16 random salt bytes each time");
        assertTrue(h.verify("correct horse battery staple", a).await().atMost(WAIT));
        assertFalse(h.verify("correct horse battery stapl", a).await().atMost(WAIT));
        assertFalse(h.needsRehash(a));
    }

    @Test
    void argon2idAgreesWithTheReferenceImplementation() {
        // vectors from the reference C implementation (Debian's argon2 CLI, 20190702):
        //   echo -n password | argon2 somesaltsomesalt -id -t 2 -k 64 -p 1 -l 32 -r
        byte[] salt = "somesaltsomesalt".getBytes(StandardCharsets.UTF_8);
        assertEquals("1a98fba8e6394425c9bdc333a9c750aaf811df070f5fb4a5788e1cf4db5793a1",
                HexFormat.of().formatHex(PasswordHasher.argon2("password", salt, 64, 2, 1)));
        //   echo -n password | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e   (auth-service's parameters)
        String reference = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";
        PasswordHasher h = hasher(PasswordConfig.Algorithm.ARGON2ID);
        assertTrue(h.verify("password", reference).await().atMost(WAIT));
        assertFalse(h.verify("passwore", reference).await().atMost(WAIT));
        assertFalse(h.needsRehash(reference), "the reference's own OWASP-parameter hash needs no upgrade");
    }

    @Test
    void pbkdf2IsTheFipsOptionWithSixHundredThousandIterations() {
        PasswordHasher h = hasher(PasswordConfig.Algorithm.PBKDF2);
        String phc = h.hash("tr0ub4dor&3-plus-more").await().atMost(WAIT);
        assertTrue(phc.startsWith("$pbkdf2-sha256$i=600000,l=32$"), phc);
        assertTrue(h.verify("tr0ub4dor&3-plus-more", phc).await().atMost(WAIT));
        assertFalse(h.verify("tr0ub4dor&3-plus-mor", phc).await().atMost(WAIT));
        assertTrue(hasher(PasswordConfig.Algorithm.ARGON2ID).needsRehash(phc), "argon2id deployments upgrade it");
    }

    @Test
    void verifiesTheSeedsLegacyPbkdf2AndWantsItUpgraded() {
        // what the seed's hash_password produced: salt = token_hex(32); pbkdf2_hmac(sha256, pw, salt.encode(), 100000).hex()
        String salt = "9f2c4e1ab3d5f60718293a4b5c6d7e8f9f2c4e1ab3d5f60718293a4b5c6d7e8f";
        byte[] dk = PasswordHasher.pbkdf2("legacy-password-42", salt.getBytes(StandardCharsets.UTF_8), 100_000, 32);
        String stored = "$seed-pbkdf2-sha256$i=100000$" + salt + "$" + HexFormat.of().formatHex(dk);
        PasswordHasher h = hasher(PasswordConfig.Algorithm.ARGON2ID);
        assertTrue(h.verify("legacy-password-42", stored).await().atMost(WAIT));
        assertFalse(h.verify("legacy-password-43", stored).await().atMost(WAIT));
        assertTrue(h.needsRehash(stored));
    }

    @Test
    void theSamePasswordTypedInAnotherUnicodeFormStillMatches() {
        // precomposed letters and full-width forms, as one keyboard types it...
        String typedHere = "\u00C5ngstr\u00F6m-caf\u00E9-\uFF50\uFF41\uFF53\uFF53";
        // ...and decomposed accents and ASCII, as another does
        String typedThere = "A\u030Angstro\u0308m-cafe\u0301-pass";
        for (PasswordConfig.Algorithm algorithm : PasswordConfig.Algorithm.values()) {
            PasswordHasher h = hasher(algorithm);
            String stored = h.hash(typedHere).await().atMost(WAIT);
            assertTrue(h.verify(typedThere, stored).await().atMost(WAIT), algorithm + ": NFKC makes them one password");
            assertFalse(h.verify("Angstrom-cafe-pass", stored).await().atMost(WAIT), algorithm + ": accents still count");
        }
    }

    @Test
    void weakerParametersAreUpgraded() {
        PasswordHasher h = hasher(PasswordConfig.Algorithm.ARGON2ID);
        assertTrue(h.needsRehash("$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHRzYWx0c2E$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"));
        assertTrue(h.needsRehash("$pbkdf2-sha256$i=100000,l=32$c2FsdA$aGFzaA"));
        assertTrue(h.needsRehash("garbage"));
    }

    @Test
    void aMalformedStoredHashNeverMatches() {
        PasswordHasher h = hasher(PasswordConfig.Algorithm.ARGON2ID);
        for (String bad : new String[] { "", "plaintext", "$argon2id$v=19$m=x,t=2,p=1$$", "$md5$abc$def", "$argon2id$" }) {
            assertFalse(h.verify("plaintext", bad).await().atMost(WAIT), bad);
        }
    }

    @Test
    void phcStringsRoundTrip() {
        String s = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2E$aGFzaA";
        assertEquals(s, PasswordHash.parse(s).format());
        String p = "$pbkdf2-sha256$i=600000,l=32$c2FsdA$aGFzaA";
        assertEquals(p, PasswordHash.parse(p).format());
    }

    /**
     * A stored hash asks for work: one changed in the database to ask for a gigabyte, a billion passes
     * or iterations, or absurd lengths is refused at once (no match), never computed.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // computed, it would hang
    void aStoredHashThatAsksForTooMuchIsRefusedWithoutBeingComputed() {
        PasswordHasher h = hasher(PasswordConfig.Algorithm.ARGON2ID);
        String salt = PasswordHash.b64(new byte[16]);
        String hash = PasswordHash.b64(new byte[32]);
        for (String hostile : new String[] {
                "$argon2id$v=19$m=2097152,t=2,p=1$" + salt + "$" + hash,
                "$argon2id$v=19$m=19456,t=2147483647,p=1$" + salt + "$" + hash,
                "$argon2id$v=19$m=19456,t=2,p=255$" + salt + "$" + hash,
                "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + PasswordHash.b64(new byte[4096]),
                "$pbkdf2-sha256$i=2147483647,l=32$" + salt + "$" + hash,
                "$seed-pbkdf2-sha256$i=1000000000$" + "ab".repeat(32) + "$" + "cd".repeat(32) }) {
            assertFalse(h.verifyNow("correct horse battery", hostile), hostile);
        }
    }

    @Test
    void anErrorInAHashIsAFailedRequestNotALostOne() {
        HashingPool pool = new HashingPool(config(PasswordConfig.Algorithm.ARGON2ID, 1, 1), new SimpleMeterRegistry());
        Throwable e = assertThrows(Throwable.class, () -> pool.submit(() -> {
            throw new OutOfMemoryError("Java heap space");
        }).await().atMost(WAIT)); // without an answer, this would time out instead
        assertTrue(e instanceof OutOfMemoryError || e.getCause() instanceof OutOfMemoryError, e.toString());
    }

    @Test
    void aFullPoolQueuesThenRefusesWith503() throws Exception {
        PasswordConfig c = config(PasswordConfig.Algorithm.ARGON2ID, 1, 1);
        HashingPool pool = new HashingPool(c, new SimpleMeterRegistry());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        var first = pool.submit(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        }).subscribeAsCompletionStage();
        running.await();
        var queued = pool.submit(() -> 2).subscribeAsCompletionStage();
        ProblemException refused = assertThrows(ProblemException.class, () -> pool.submit(() -> 3).await().atMost(WAIT));
        assertEquals(503, refused.status());
        assertEquals("1", refused.headers().get("Retry-After"));
        release.countDown();
        assertEquals(1, first.get());
        assertEquals(2, queued.get(), "the queued one still ran");
    }
}
