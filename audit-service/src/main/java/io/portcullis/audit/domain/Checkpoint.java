package io.portcullis.audit.domain;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A signed statement "the chain's head at {@code seq} has {@code hash}". The signed bytes are the
 * UTF-8 of {@link #payload()}: {@code portcullis-audit-checkpoint/v1}, the seq, the hex hash and
 * the signing time, one per line. Anyone holding the public key can check a copy of the log
 * against it (see {@code OfflineVerifier}).
 */
public record Checkpoint(long seq, byte[] hash, Instant signedAt, String keyId, String algorithm, byte[] signature) {

    public static final String PAYLOAD_VERSION = "portcullis-audit-checkpoint/v1";

    public static byte[] payload(long seq, byte[] hash, Instant signedAt) {
        return (PAYLOAD_VERSION + "\n" + seq + "\n" + ChainedEvent.hex(hash) + "\n" + ChainedEvent.timestamp(signedAt))
                .getBytes(StandardCharsets.UTF_8);
    }

    public byte[] payload() {
        return payload(seq, hash, signedAt);
    }
}
