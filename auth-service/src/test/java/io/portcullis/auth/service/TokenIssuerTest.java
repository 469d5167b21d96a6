package io.portcullis.auth.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.portcullis.auth.config.JwtConfig;

/** What auth-service refuses to start with: tokens that live too long, keys that are too weak, no key at all. */
class TokenIssuerTest {

    static JwtConfig config(Duration lifetime, String pem, boolean ephemeral) {
        return new JwtConfig() {
            public String issuer() {
                return "urn:portcullis:auth";
            }

            public String audience() {
                return "portcullis";
            }

            public Duration lifetime() {
                return lifetime;
            }

            public Optional<String> signingKey() {
                return Optional.ofNullable(pem);
            }

            public Optional<String> signingKeyLocation() {
                return Optional.empty();
            }

            public boolean ephemeralSigningKey() {
                return ephemeral;
            }

            public Optional<List<String>> previousPublicKeys() {
                return Optional.empty();
            }
        };
    }

    static String rsaPkcs8Pem(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(g.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void aLifetimeBeyondFifteenMinutesIsRefused() throws Exception {
        String pem = rsaPkcs8Pem(2048);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new TokenIssuer(config(Duration.ofMinutes(15).plusSeconds(1), pem, false)));
        assertTrue(e.getMessage().contains("15 minutes"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new TokenIssuer(config(Duration.ZERO, pem, false)));
        assertDoesNotThrow(() -> new TokenIssuer(config(Duration.ofMinutes(15), pem, false)));
    }

    @Test
    void anRsaKeyUnder2048BitsIsRefused() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new TokenIssuer(config(Duration.ofMinutes(10), rsaPkcs8Pem(1024), false)));
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
    }

    @Test
    void noKeyAndNoThrowawayKeyIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new TokenIssuer(config(Duration.ofMinutes(10), null, false)));
        assertTrue(e.getMessage().contains("PORTCULLIS_JWT_SIGNING_KEY_FILE"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new TokenIssuer(config(Duration.ofMinutes(10), "not a key", false)));
    }
}
