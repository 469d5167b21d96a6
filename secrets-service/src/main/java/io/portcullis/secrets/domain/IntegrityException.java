package io.portcullis.secrets.domain;

/**
 * A stored secret failed authentication: its ciphertext, nonce, wrapped data key or binding to path
 * and version was changed, or it names a key-encryption key this service does not hold. Nothing of
 * it is ever returned. The message names the reason only, never data.
 */
public final class IntegrityException extends RuntimeException {

    /** The reason when the named KEK is not held here (answered 503, not as tampering). */
    public static final String UNKNOWN_KEK = "unknown_kek";

    /** Why: {@code tag_mismatch} (AES-GCM refused it), {@code malformed}, or {@link #UNKNOWN_KEK}. */
    private final String reason;

    public IntegrityException(String reason) {
        super("stored secret failed its integrity check: " + reason, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
