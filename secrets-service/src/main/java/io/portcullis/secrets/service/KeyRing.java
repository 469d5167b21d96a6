package io.portcullis.secrets.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.secrets.config.SecretsConfig;

/**
 * The key-encryption keys (KEKs) this instance holds, by id. Filled once at start by
 * {@link KeyBootstrap} from the configuration (never from the database, which knows ids only), and
 * read-only afterwards. Which KEK is active is the database's business ({@link Snapshots}).
 */
@ApplicationScoped
public class KeyRing {

    public static final String PBKDF2 = "PBKDF2WithHmacSHA256";
    public static final int KEY_BYTES = 32;
    public static final int MIN_PASSPHRASE_CHARS = 16;
    private static final byte[] ID_LABEL = "portcullis-secrets kek-id v1".getBytes(StandardCharsets.US_ASCII);

    /** Where a KEK came from, as shown by {@code GET /secrets/keys}. */
    public enum Source {
        PRIMARY, ADDITIONAL, PASSPHRASE, EPHEMERAL
    }

    /** One configured KEK. The key never leaves this class but to a {@link javax.crypto.Cipher}. */
    public record Kek(String id, Source source, SecretKey key) {
        @Override
        public String toString() {
            return "Kek[" + id + ", " + source + "]";
        }
    }

    private volatile Map<String, Kek> keys = Map.of();
    private volatile String primaryId;

    /** Installs the keys read at start ({@link KeyBootstrap}); the first one is the primary. */
    void install(List<Kek> loaded) {
        Map<String, Kek> map = new LinkedHashMap<>();
        for (Kek k : loaded) {
            map.putIfAbsent(k.id(), k);
        }
        this.keys = Collections.unmodifiableMap(map);
        this.primaryId = loaded.get(0).id();
    }

    public String primaryId() {
        return primaryId;
    }

    public Optional<Kek> find(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** The key under {@code id}, or 503 when this instance does not hold it (fail closed). */
    SecretKey require(String id) {
        Kek k = keys.get(id);
        if (k == null) {
            throw ProblemException.unavailable("The key-encryption key in use is not configured on this instance.");
        }
        return k.key();
    }

    // ---- reading keys from configuration (start-up only) ----

    /**
     * The keys named by the configuration, primary first, without the passphrase one (which needs
     * the salt from the database). Every failure names the setting, never a byte of the value.
     */
    public static List<Kek> fromConfig(SecretsConfig config) {
        List<Kek> out = new ArrayList<>();
        config.kek().ifPresent(v -> out.add(kek(decode("portcullis.secrets.kek", v), Source.PRIMARY)));
        List<String> additional = config.additionalKeks().orElse(List.of());
        for (int i = 0; i < additional.size(); i++) {
            out.add(kek(decode("portcullis.secrets.additional-keks[" + i + "]", additional.get(i)), Source.ADDITIONAL));
        }
        return out;
    }

    /** A throwaway key for dev mode. */
    public static Kek ephemeral(SecureRandom random) {
        byte[] bytes = new byte[KEY_BYTES];
        random.nextBytes(bytes);
        return kek(bytes, Source.EPHEMERAL);
    }

    /** The KEK derived from {@code passphrase} with PBKDF2-HMAC-SHA256 (slow on purpose: start-up only). */
    public static Kek fromPassphrase(String passphrase, byte[] salt, int iterations) {
        if (passphrase.length() < MIN_PASSPHRASE_CHARS) {
            throw new IllegalStateException("portcullis.secrets.kek-passphrase must be at least " + MIN_PASSPHRASE_CHARS
                    + " characters");
        }
        char[] chars = passphrase.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, KEY_BYTES * 8);
        try {
            byte[] derived = SecretKeyFactory.getInstance(PBKDF2).generateSecret(spec).getEncoded();
            return kek(derived, Source.PASSPHRASE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the KEK from portcullis.secrets.kek-passphrase", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }

    private static byte[] decode(String setting, String value) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(setting + " is not valid base64 (expected 32 random bytes, base64-encoded)");
        }
        if (bytes.length != KEY_BYTES) {
            int n = bytes.length;
            java.util.Arrays.fill(bytes, (byte) 0);
            throw new IllegalStateException(setting + " must be 32 bytes (256 bits), base64-encoded; it has " + n);
        }
        return bytes;
    }

    private static Kek kek(byte[] bytes, Source source) {
        try {
            return new Kek(keyId(bytes), source, new SecretKeySpec(bytes, "AES"));
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    /** {@code kek-} and 16 hex digits of HMAC-SHA256(key, label): stable, and says nothing of the key. */
    public static String keyId(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return "kek-" + HexFormat.of().formatHex(mac.doFinal(ID_LABEL), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
