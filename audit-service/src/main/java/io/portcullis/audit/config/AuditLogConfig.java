package io.portcullis.audit.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The audit-service's own settings ({@code portcullis.audit-log.*}). */
@ConfigMapping(prefix = "portcullis.audit-log")
public interface AuditLogConfig {

    /**
     * The Ed25519 private key (PKCS#8 PEM) that signs checkpoints, usually from
     * {@code PORTCULLIS_AUDIT_LOG_SIGNING_KEY_FILE}. Without it the service refuses to start, unless
     * {@link #ephemeralSigningKey()} allows a throwaway key (dev and test only).
     */
    Optional<String> signingKey();

    /** Allow a throwaway signing key when none is configured (never in production). */
    @WithDefault("false")
    boolean ephemeralSigningKey();

    /**
     * Public keys (PEM) of earlier signing keys whose checkpoints still count as trusted after a key
     * rotation. The current key is always trusted.
     */
    Optional<List<String>> previousPublicKeys();

    /** Sign a checkpoint after this many new events... */
    @WithDefault("1000")
    int checkpointEvery();

    /** ...or after this long with at least one new event. */
    @WithDefault("PT60S")
    Duration checkpointInterval();

    /** How often to look whether a checkpoint is due (a scheduler period such as {@code 5s}). */
    @WithDefault("5s")
    String checkpointCheck();

    /** Events per ingest request at most. */
    @WithDefault("1000")
    int maxBatch();

    /** Events per database transaction of the single writer at most (several requests share one). */
    @WithDefault("5000")
    int maxWriteBatch();
}
