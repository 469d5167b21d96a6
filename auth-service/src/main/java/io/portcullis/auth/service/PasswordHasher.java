package io.portcullis.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.auth.config.PasswordConfig;
import io.portcullis.auth.domain.PasswordHash;
import io.smallrye.mutiny.Uni;

/**
 * Hashes and verifies passwords: Argon2id (Bouncy Castle) by default, PBKDF2-HMAC-SHA256 (the JDK)
 * as the FIPS-friendly option, and the seed's legacy PBKDF2 (100,000 iterations, hex salt) for
 * imported users. 16-byte salts from {@link SecureRandom}; comparisons in constant time
 * ({@link MessageDigest#isEqual}). All the work runs on the {@link HashingPool}.
 */
@ApplicationScoped
public class PasswordHasher {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PasswordHasher.class);
    /** The most a stored hash may ask of a login (RFC 9106's second option is 64 MiB). */
    static final int MAX_ARGON2_KIB = 65536;
    static final int MAX_ARGON2_PASSES = 16;
    static final int MAX_ARGON2_LANES = 8;
    static final int MAX_PBKDF2_ITERATIONS = 2_000_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private final PasswordConfig config;
    private final HashingPool pool;
    private final SecureRandom random = new SecureRandom();
    private final MeterRegistry registry;
    private volatile String dummy;

    public PasswordHasher(PasswordConfig config, HashingPool pool, MeterRegistry registry) {
        this.config = config;
        this.pool = pool;
        this.registry = registry;
    }

    /** A new hash of {@code password} with the configured algorithm and parameters. */
    public Uni<String> hash(String password) {
        return pool.submit(() -> hashNow(password));
    }

    /** The dummy hash is made at start, so that the first login for an unknown user costs one hash like the rest. */
    void prepare(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent ignored) {
        pool.submit(this::dummyHash).subscribe().with(d -> { }, e -> LOG.warnf("could not prepare the dummy hash: %s", e.getMessage()));
    }

    /**
     * Whether {@code password} matches {@code stored}. A malformed stored hash never matches. A
     * mismatch against a hash cheaper than today's (an imported seed hash, a weaker setting) also pays
     * for one of today's hashes, as an unknown user's login does, so that a failure's timing does not
     * tell which accounts still carry an old hash (a success pays for its upgrade anyway).
     */
    public Uni<Boolean> verify(String password, String stored) {
        return pool.submit(() -> {
            boolean ok = verifyNow(password, stored);
            if (!ok && needsRehash(stored)) {
                verifyNow(password, dummyHash());
            }
            return ok;
        });
    }

    /**
     * The same work as a real verification, against a hash of a random password: what a login for
     * an unknown user costs, so that its timing tells nothing.
     */
    public Uni<Boolean> verifyDummy(String password) {
        return pool.submit(() -> {
            verifyNow(password, dummyHash());
            return false;
        });
    }

    /** Whether {@code stored} was made with another algorithm or weaker parameters than today's. */
    public boolean needsRehash(String stored) {
        try {
            PasswordHash h = PasswordHash.parse(stored);
            return switch (config.algorithm()) {
                case ARGON2ID -> !PasswordHash.ARGON2ID.equals(h.algorithm())
                        || h.intParam("m") < config.argon2MemoryKib()
                        || h.intParam("t") < config.argon2Iterations()
                        || h.intParam("p") < config.argon2Parallelism();
                case PBKDF2 -> !PasswordHash.PBKDF2.equals(h.algorithm()) || h.intParam("i") < config.pbkdf2Iterations();
            };
        } catch (IllegalArgumentException e) { // malformed, a parameter missing or not a number
            return true;
        }
    }

    /**
     * The form a password is hashed and checked in: Unicode NFKC (NIST SP 800-63B 5.1.1.2), so that the
     * same password typed on another keyboard or OS (composed or decomposed accents, full-width forms)
     * still matches. Not applied to hashes imported from the seed, which hashed the raw UTF-8.
     */
    public static String normalized(String password) {
        return Normalizer.isNormalized(password, Normalizer.Form.NFKC) ? password : Normalizer.normalize(password, Normalizer.Form.NFKC);
    }

    String hashNow(String raw) {
        String password = normalized(raw);
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        Timer.Sample sample = Timer.start(registry);
        String phc = switch (config.algorithm()) {
            case ARGON2ID -> {
                byte[] out = argon2(password, salt, config.argon2MemoryKib(), config.argon2Iterations(),
                        config.argon2Parallelism());
                yield new PasswordHash(PasswordHash.ARGON2ID, Map.of("v", "19", "m", Integer.toString(config.argon2MemoryKib()),
                        "t", Integer.toString(config.argon2Iterations()), "p", Integer.toString(config.argon2Parallelism())),
                        PasswordHash.b64(salt), PasswordHash.b64(out)).format();
            }
            case PBKDF2 -> new PasswordHash(PasswordHash.PBKDF2,
                    Map.of("i", Integer.toString(config.pbkdf2Iterations()), "l", Integer.toString(HASH_BYTES)),
                    PasswordHash.b64(salt), PasswordHash.b64(pbkdf2(password, salt, config.pbkdf2Iterations(), HASH_BYTES)))
                    .format();
        };
        sample.stop(timer(config.algorithm().name().toLowerCase()));
        return phc;
    }

    boolean verifyNow(String password, String stored) {
        PasswordHash h;
        try {
            h = PasswordHash.parse(stored);
        } catch (IllegalArgumentException e) {
            return false;
        }
        Timer.Sample sample = Timer.start(registry);
        try {
            switch (h.algorithm()) {
                case PasswordHash.ARGON2ID -> {
                    byte[] expected = bounded(PasswordHash.unb64(h.hash()));
                    byte[] actual = argon2(normalized(password), bounded(PasswordHash.unb64(h.salt())), h.boundedParam("m", 8, MAX_ARGON2_KIB),
                            h.boundedParam("t", 1, MAX_ARGON2_PASSES), h.boundedParam("p", 1, MAX_ARGON2_LANES), expected.length);
                    return MessageDigest.isEqual(expected, actual);
                }
                case PasswordHash.PBKDF2 -> {
                    byte[] expected = bounded(PasswordHash.unb64(h.hash()));
                    return MessageDigest.isEqual(expected, pbkdf2(normalized(password), bounded(PasswordHash.unb64(h.salt())),
                            h.boundedParam("i", 1, MAX_PBKDF2_ITERATIONS), expected.length));
                }
                case PasswordHash.SEED_PBKDF2 -> {
                    // the seed: pbkdf2_hmac('sha256', password, salt_hex.encode('utf-8'), 100000).hex()
                    byte[] expected = bounded(HexFormat.of().parseHex(h.hash()));
                    byte[] actual = pbkdf2(password, bounded(h.salt().getBytes(StandardCharsets.UTF_8)),
                            h.boundedParam("i", 1, MAX_PBKDF2_ITERATIONS), expected.length);
                    return MessageDigest.isEqual(expected, actual);
                }
                default -> {
                    return false;
                }
            }
        } catch (IllegalArgumentException e) {
            LOG.errorf("a stored password hash (%s) is malformed or asks for more than this service will do; "
                    + "the login is refused", h.algorithm());
            return false;
        } finally {
            sample.stop(timer(h.algorithm()));
        }
    }

    /** Salts and hashes of 8 to 128 bytes: anything else was not made by a password hasher. */
    private static byte[] bounded(byte[] bytes) {
        if (bytes.length < 8 || bytes.length > 128) {
            throw new IllegalArgumentException("salt or hash length out of bounds");
        }
        return bytes;
    }

    private Timer timer(String algorithm) {
        return Timer.builder("portcullis.auth.hash").description("Time of one password hash")
                .tag("algorithm", algorithm).publishPercentileHistogram().register(registry);
    }

    private String dummyHash() {
        String d = dummy;
        if (d == null) {
            byte[] random = new byte[24];
            this.random.nextBytes(random);
            d = hashNow(PasswordHash.b64(random));
            dummy = d;
        }
        return d;
    }

    static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int parallelism) {
        return argon2(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
    }

    static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }

    static byte[] pbkdf2(String password, byte[] salt, int iterations, int length) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, length * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
