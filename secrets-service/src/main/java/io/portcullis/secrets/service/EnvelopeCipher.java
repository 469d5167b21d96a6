package io.portcullis.secrets.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.secrets.domain.Envelope;
import io.portcullis.secrets.domain.IntegrityException;

/**
 * Envelope encryption with the JDK's AES-256-GCM, nothing home-made:
 *
 * <ul>
 * <li>each version gets a fresh random 256-bit data key (DEK) and a random 96-bit nonce; the value is
 * sealed under the DEK with AAD {@code "portcullis-secrets/value/v1" 0 path 0 version};</li>
 * <li>the DEK is sealed (wrapped) under the active KEK with its own random nonce and AAD
 * {@code "portcullis-secrets/dek/v1" 0 kekId 0 path 0 version};</li>
 * <li>so a value, a data key, or a whole row moved to another path or version, or a data key
 * relabelled with another KEK id, fails authentication instead of decrypting;</li>
 * <li>a rewrap opens and reseals only the DEK; the value's ciphertext is never touched.</li>
 * </ul>
 *
 * Paths are ASCII without NUL (see {@code SecretPath}), so the NUL-separated AAD is unambiguous.
 * Plaintext and key bytes are zeroed as soon as they are no longer needed (a String value cannot be).
 */
@ApplicationScoped
public class EnvelopeCipher {

    public static final String TRANSFORMATION = "AES/GCM/NoPadding";
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BITS = 128;
    private static final byte[] VALUE_LABEL = "portcullis-secrets/value/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEK_LABEL = "portcullis-secrets/dek/v1".getBytes(StandardCharsets.US_ASCII);

    /**
     * One {@link Cipher} per thread, initialised afresh (key, nonce, AAD) for every operation: looking
     * up the provider costs more than the AES-GCM of a small value.
     */
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(TRANSFORMATION + " is unavailable", e);
        }
    });

    private final KeyRing keys;
    private final SecureRandom random = new SecureRandom();

    public EnvelopeCipher(KeyRing keys) {
        this.keys = keys;
    }

    /** Seals {@code plaintext} for {@code path} version {@code version} under the KEK {@code kekId}. */
    public Envelope seal(String kekId, String path, int version, byte[] plaintext) {
        SecretKey kek = keys.require(kekId);
        byte[] fresh = new byte[KeyRing.KEY_BYTES + 2 * NONCE_BYTES];
        random.nextBytes(fresh);
        byte[] dek = Arrays.copyOfRange(fresh, 0, KeyRing.KEY_BYTES);
        byte[] nonce = Arrays.copyOfRange(fresh, KeyRing.KEY_BYTES, KeyRing.KEY_BYTES + NONCE_BYTES);
        byte[] dekNonce = Arrays.copyOfRange(fresh, KeyRing.KEY_BYTES + NONCE_BYTES, fresh.length);
        Arrays.fill(fresh, (byte) 0);
        try {
            byte[] ciphertext = gcm(Cipher.ENCRYPT_MODE, new SecretKeySpec(dek, "AES"), nonce, valueAad(path, version), plaintext);
            byte[] wrapped = gcm(Cipher.ENCRYPT_MODE, kek, dekNonce, dekAad(kekId, path, version), dek);
            return new Envelope(kekId, dekNonce, wrapped, nonce, ciphertext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    /**
     * Opens what {@link #seal} made for {@code path} version {@code version}.
     *
     * @throws IntegrityException when anything was changed, or the KEK is not held here
     */
    public byte[] open(String path, int version, Envelope e) {
        byte[] dek = unwrap(path, version, e.wrappedKey());
        try {
            return gcm(Cipher.DECRYPT_MODE, new SecretKeySpec(dek, "AES"), e.nonce(), valueAad(path, version), e.ciphertext());
        } catch (AEADBadTagException bad) {
            throw new IntegrityException("tag_mismatch");
        } catch (GeneralSecurityException ex) {
            throw new IntegrityException("malformed");
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    /** Unwraps a data key and wraps it again under {@code newKekId}, without touching the value. */
    public Envelope.WrappedKey rewrap(String path, int version, Envelope.WrappedKey old, String newKekId) {
        SecretKey kek = keys.require(newKekId);
        byte[] dek = unwrap(path, version, old);
        byte[] dekNonce = new byte[NONCE_BYTES];
        random.nextBytes(dekNonce);
        try {
            byte[] wrapped = gcm(Cipher.ENCRYPT_MODE, kek, dekNonce, dekAad(newKekId, path, version), dek);
            return new Envelope.WrappedKey(newKekId, dekNonce, wrapped);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    private byte[] unwrap(String path, int version, Envelope.WrappedKey w) {
        if (w.kekId() == null || w.wrappedDek() == null || w.dekNonce() == null) {
            throw new IntegrityException("malformed");
        }
        SecretKey kek = keys.find(w.kekId()).map(KeyRing.Kek::key).orElseThrow(() -> new IntegrityException(IntegrityException.UNKNOWN_KEK));
        try {
            byte[] dek = gcm(Cipher.DECRYPT_MODE, kek, w.dekNonce(), dekAad(w.kekId(), path, version), w.wrappedDek());
            if (dek.length != KeyRing.KEY_BYTES) {
                Arrays.fill(dek, (byte) 0);
                throw new IntegrityException("malformed");
            }
            return dek;
        } catch (AEADBadTagException bad) {
            throw new IntegrityException("tag_mismatch");
        } catch (GeneralSecurityException ex) {
            throw new IntegrityException("malformed");
        }
    }

    private static byte[] gcm(int mode, SecretKey key, byte[] nonce, byte[] aad, byte[] input) throws GeneralSecurityException {
        if (nonce == null || nonce.length != NONCE_BYTES || input == null) {
            throw new javax.crypto.BadPaddingException("malformed envelope");
        }
        Cipher c = CIPHERS.get();
        c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(aad);
        return c.doFinal(input);
    }

    static byte[] valueAad(String path, int version) {
        return aad(VALUE_LABEL, null, path, version);
    }

    static byte[] dekAad(String kekId, String path, int version) {
        return aad(DEK_LABEL, kekId, path, version);
    }

    private static byte[] aad(byte[] label, String kekId, String path, int version) {
        StringBuilder sb = new StringBuilder(path.length() + 40);
        if (kekId != null) {
            sb.append('\0').append(kekId);
        }
        sb.append('\0').append(path).append('\0').append(version);
        byte[] tail = sb.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(label, label.length + tail.length);
        System.arraycopy(tail, 0, out, label.length, tail.length);
        return out;
    }
}
