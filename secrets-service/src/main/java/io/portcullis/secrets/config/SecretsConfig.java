package io.portcullis.secrets.config;

import java.util.List;
import java.util.Optional;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The secrets-service's own settings ({@code portcullis.secrets.*}). Every key-encryption key (KEK)
 * is a secret: give it through a file named by the {@code _FILE} env var (mode 0600, see
 * security-common's {@code SecretFiles}), never on a command line.
 *
 * <p>Key ids are not configured: each KEK's id is a fingerprint of the key itself
 * ({@code kek-} and 16 hex digits of HMAC-SHA256(key, "portcullis-secrets kek-id v1")), so the same
 * key has the same id on every instance and a wrong key can never pose under a known id.
 */
@ConfigMapping(prefix = "portcullis.secrets")
public interface SecretsConfig {

    /**
     * The primary KEK: 32 random bytes, base64 ({@code PORTCULLIS_SECRETS_KEK_FILE}). On the very first
     * start it becomes the active KEK; afterwards the active KEK is whatever an admin last activated
     * ({@code POST /secrets/keys/{id}/activate}). Either this or {@link #kekPassphrase()} is required:
     * without one the service refuses to start (unless {@link #ephemeralKek()}).
     */
    Optional<String> kek();

    /**
     * Further KEKs this instance can use (base64, comma-separated, {@code PORTCULLIS_SECRETS_ADDITIONAL_KEKS_FILE}):
     * a new key before it is activated, or old ones until {@code POST /secrets/keys/rewrap} has moved
     * every data key off them and they are retired.
     */
    Optional<List<String>> additionalKeks();

    /**
     * For small setups: a passphrase from which the primary KEK is derived with PBKDF2-HMAC-SHA256
     * ({@code PORTCULLIS_SECRETS_KEK_PASSPHRASE_FILE}); the random salt is kept in the database. Set
     * either this or {@link #kek()}, not both. At least 16 characters.
     */
    Optional<String> kekPassphrase();

    /**
     * PBKDF2 iterations for {@link #kekPassphrase()}: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 by
     * default; at least 100,000. Stored with the salt on first use; changing it later derives another
     * key (a new KEK id), so leave it alone once data exists.
     */
    @WithDefault("600000")
    @Min(100_000)
    int kekPassphraseIterations();

    /**
     * Use a throwaway random KEK when none is configured: dev mode only (every secret becomes
     * unreadable at the next start). Never in production.
     */
    @WithDefault("false")
    boolean ephemeralKek();

    /** Versions kept per path unless its metadata says otherwise (Vault's {@code max_versions}). */
    @WithDefault("10")
    @Min(1)
    @Max(1000)
    int defaultMaxVersions();

    /** Largest value, in bytes of UTF-8; a bigger one is refused with 413. */
    @WithDefault("65536")
    @Min(1)
    @Max(262_144)
    int maxValueBytes();

    /** Longest lifetime of a one-time share; a request may ask for less, never more. */
    @WithDefault("3600")
    @Min(1)
    @Max(3600)
    int maxShareTtlSeconds();

    /** Lifetime of a one-time share when the request names none. */
    @WithDefault("300")
    @Min(1)
    @Max(3600)
    int defaultShareTtlSeconds();

    /**
     * Data keys rewrapped per database transaction by {@code POST /secrets/keys/rewrap} (each costs two
     * AES-GCM operations on 32 bytes, a few microseconds, on the event loop).
     */
    @WithDefault("200")
    @Min(1)
    @Max(10_000)
    int rewrapBatchSize();

    /**
     * On the first start (no policy exists yet), create the policy {@code admin} that grants the group
     * {@code admin} every capability on every path. This is how admins get their rights: the code has
     * no bypass. Turn it off to start with no policy at all.
     */
    @WithDefault("true")
    boolean bootstrapAdminPolicy();
}
