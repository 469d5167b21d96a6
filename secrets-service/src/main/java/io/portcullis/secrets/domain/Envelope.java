package io.portcullis.secrets.domain;

/**
 * What is stored for one secret version: the value sealed under its own data key (DEK), and the DEK
 * wrapped under a key-encryption key (KEK). Both are AES-256-GCM with a random 96-bit nonce; the
 * 16-byte tag sits at the end of {@code wrappedDek} and {@code ciphertext}. Holds no plaintext.
 */
public record Envelope(String kekId, byte[] dekNonce, byte[] wrappedDek, byte[] nonce, byte[] ciphertext) {

    /** The wrapped data key alone: what a rewrap replaces. */
    public record WrappedKey(String kekId, byte[] dekNonce, byte[] wrappedDek) {
    }

    public WrappedKey wrappedKey() {
        return new WrappedKey(kekId, dekNonce, wrappedDek);
    }

    @Override
    public String toString() {
        return "Envelope[kekId=" + kekId + ", ciphertextBytes=" + (ciphertext == null ? 0 : ciphertext.length) + "]";
    }
}
