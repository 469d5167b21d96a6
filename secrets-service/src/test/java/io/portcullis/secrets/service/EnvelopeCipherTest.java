package io.portcullis.secrets.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.portcullis.secrets.domain.Envelope;
import io.portcullis.secrets.domain.IntegrityException;

/** The envelope format on its own: what it binds, and that any change fails closed. */
class EnvelopeCipherTest {

    private static final byte[] VALUE = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);

    private final KeyRing.Kek k1 = KeyRing.ephemeral(new SecureRandom());
    private final KeyRing.Kek k2 = KeyRing.ephemeral(new SecureRandom());
    private final EnvelopeCipher cipher = cipher(k1, k2);

    static EnvelopeCipher cipher(KeyRing.Kek... keks) {
        KeyRing ring = new KeyRing();
        ring.install(List.of(keks));
        return new EnvelopeCipher(ring);
    }

    @Test
    void opensWhatItSealed() {
        Envelope e = cipher.seal(k1.id(), "app/db", 3, VALUE.clone());
        assertArrayEquals(VALUE, cipher.open("app/db", 3, e));
        assertEquals(12, e.nonce().length);
        assertEquals(12, e.dekNonce().length);
        assertEquals(48, e.wrappedDek().length);
        assertEquals(VALUE.length + 16, e.ciphertext().length);
    }

    @Test
    void ciphertextDoesNotContainThePlaintext() {
        Envelope e = cipher.seal(k1.id(), "app/db", 1, VALUE.clone());
        assertFalse(new String(e.ciphertext(), StandardCharsets.ISO_8859_1).contains("horse"));
    }

    @Test
    void refusesAnyFlippedBit() {
        Envelope e = cipher.seal(k1.id(), "app/db", 1, VALUE.clone());
        for (int field = 0; field < 4; field++) {
            byte[][] parts = { e.dekNonce().clone(), e.wrappedDek().clone(), e.nonce().clone(), e.ciphertext().clone() };
            parts[field][parts[field].length - 1] ^= 0x01;
            Envelope tampered = new Envelope(e.kekId(), parts[0], parts[1], parts[2], parts[3]);
            IntegrityException x = assertThrows(IntegrityException.class, () -> cipher.open("app/db", 1, tampered));
            assertEquals("tag_mismatch", x.reason());
        }
    }

    @Test
    void isBoundToItsPath() {
        Envelope e = cipher.seal(k1.id(), "app/db", 1, VALUE.clone());
        assertThrows(IntegrityException.class, () -> cipher.open("app/db2", 1, e));
        assertThrows(IntegrityException.class, () -> cipher.open("app", 1, e));
    }

    @Test
    void isBoundToItsVersion() {
        Envelope e = cipher.seal(k1.id(), "app/db", 1, VALUE.clone());
        assertThrows(IntegrityException.class, () -> cipher.open("app/db", 2, e));
    }

    @Test
    void isBoundToItsKekId() {
        Envelope e = cipher.seal(k1.id(), "app/db", 1, VALUE.clone());
        Envelope relabelled = new Envelope(k2.id(), e.dekNonce(), e.wrappedDek(), e.nonce(), e.ciphertext());
        assertThrows(IntegrityException.class, () -> cipher.open("app/db", 1, relabelled));
    }

    @Test
    void refusesADataKeyUnderAKekItDoesNotHold() {
        Envelope e = cipher.seal(k1.id(), "app/db", 1, VALUE.clone());
        IntegrityException x = assertThrows(IntegrityException.class, () -> cipher(k2).open("app/db", 1, e));
        assertEquals("unknown_kek", x.reason());
    }

    @Test
    void refusesMalformedParts() {
        Envelope e = cipher.seal(k1.id(), "app/db", 1, VALUE.clone());
        Envelope shortNonce = new Envelope(e.kekId(), e.dekNonce(), e.wrappedDek(), new byte[8], e.ciphertext());
        assertThrows(IntegrityException.class, () -> cipher.open("app/db", 1, shortNonce));
        Envelope noKey = new Envelope(e.kekId(), e.dekNonce(), null, e.nonce(), e.ciphertext());
        assertThrows(IntegrityException.class, () -> cipher.open("app/db", 1, noKey));
    }

    @Test
    void rewrapChangesOnlyTheWrappedKey() {
        Envelope e = cipher.seal(k1.id(), "app/db", 7, VALUE.clone());
        Envelope.WrappedKey w = cipher.rewrap("app/db", 7, e.wrappedKey(), k2.id());
        assertEquals(k2.id(), w.kekId());
        assertFalse(java.util.Arrays.equals(e.wrappedDek(), w.wrappedDek()));
        Envelope moved = new Envelope(w.kekId(), w.dekNonce(), w.wrappedDek(), e.nonce(), e.ciphertext());
        assertArrayEquals(VALUE, cipher.open("app/db", 7, moved));
        // and the new wrapping opens only under the new KEK
        assertThrows(IntegrityException.class, () -> cipher(k2).open("app/db", 7, e));
        assertArrayEquals(VALUE, cipher(k2).open("app/db", 7, moved));
    }

    @Test
    void everySealUsesFreshNoncesAndDataKeys() {
        Set<String> nonces = new HashSet<>();
        Set<String> wrapped = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            Envelope e = cipher.seal(k1.id(), "app/db", 1, VALUE.clone());
            assertTrue(nonces.add(hex(e.nonce())));
            assertTrue(nonces.add(hex(e.dekNonce())));
            assertTrue(wrapped.add(hex(e.wrappedDek())));
        }
    }

    @Test
    void keyIdsAreStableFingerprints() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        assertEquals(KeyRing.keyId(key), KeyRing.keyId(key.clone()));
        assertTrue(KeyRing.keyId(key).matches("^kek-[0-9a-f]{16}$"));
        key[0] ^= 1;
        assertNotEquals(KeyRing.keyId(key), KeyRing.keyId(new byte[32]));
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
