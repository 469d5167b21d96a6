package io.portcullis.auth.config;

import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Password storage and policy ({@code portcullis.passwords.*}). */
@ConfigMapping(prefix = "portcullis.passwords")
public interface PasswordConfig {

    enum Algorithm {
        /** Argon2id, OWASP's first choice (default). */
        ARGON2ID,
        /** PBKDF2-HMAC-SHA256, for FIPS-constrained deployments. */
        PBKDF2
    }

    /** Algorithm for new hashes; a stored hash of another algorithm is upgraded at the next login. */
    @WithDefault("argon2id")
    Algorithm algorithm();

    /** Argon2id memory in KiB (OWASP: 19 MiB). */
    @WithDefault("19456")
    int argon2MemoryKib();

    /** Argon2id iterations (OWASP: 2). */
    @WithDefault("2")
    int argon2Iterations();

    /** Argon2id parallelism (OWASP: 1). */
    @WithDefault("1")
    int argon2Parallelism();

    /** PBKDF2-HMAC-SHA256 iterations (OWASP: at least 600,000). */
    @WithDefault("600000")
    int pbkdf2Iterations();

    /**
     * Threads that hash; default: the number of cores. Each Argon2id hash holds its memory for the
     * whole computation, so this bounds the memory used by hashing.
     */
    OptionalInt hashingThreads();

    /** Hash requests allowed to wait for a thread; beyond, logins get 503 with Retry-After. */
    @WithDefault("64")
    int hashingQueue();

    /** Shortest password accepted (NIST SP 800-63B: at least 8; we ask 12). */
    @WithDefault("12")
    int minLength();

    /** Longest password accepted (at least 64 per NIST). */
    @WithDefault("128")
    int maxLength();

    /** Least zxcvbn score (0-4) a new password must reach. */
    @WithDefault("3")
    int minStrength();

    /** Extra words that make a password guessable here (product and company names). */
    Optional<java.util.List<String>> bannedWords();
}
