package io.portcullis.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Throwaway key-encryption keys for the service under test, made at random once per test JVM (so
 * nothing key-like is committed): a primary, which becomes active on the first start, and three
 * additional ones ({@code a}, {@code b}, {@code c}) for rotation tests. They reach the service as
 * configuration, and the tests through system properties (one JVM, whatever the class loader).
 */
public class TestKeks implements QuarkusTestResourceLifecycleManager {

    static final String PREFIX = "portcullis.test.kek.";
    public static final List<String> NAMES = List.of("primary", "a", "b", "c");

    @Override
    public Map<String, String> start() {
        synchronized (TestKeks.class) {
            if (System.getProperty(PREFIX + "primary") == null) {
                SecureRandom random = new SecureRandom();
                for (String name : NAMES) {
                    byte[] k = new byte[32];
                    random.nextBytes(k);
                    System.setProperty(PREFIX + name, Base64.getEncoder().encodeToString(k));
                }
            }
        }
        return Map.of("portcullis.secrets.kek", key("primary"),
                "portcullis.secrets.additional-keks", key("a") + "," + key("b") + "," + key("c"));
    }

    @Override
    public void stop() {
    }

    /** The base64 key called {@code name}. */
    public static String key(String name) {
        String k = System.getProperty(PREFIX + name);
        if (k == null) {
            throw new IllegalStateException("TestKeks did not run");
        }
        return k;
    }

    /** The id the service gives the key {@code name} (same derivation as KeyRing.keyId). */
    public static String id(String name) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(key(name)), "HmacSHA256"));
            return "kek-" + HexFormat.of().formatHex(mac.doFinal("portcullis-secrets kek-id v1".getBytes(StandardCharsets.US_ASCII)), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
