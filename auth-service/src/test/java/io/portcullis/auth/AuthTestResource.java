package io.portcullis.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;

import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * What auth-service needs under test besides PostgreSQL and Redis: the test signing key (so that its
 * tokens verify like {@link TestTokens}' do), a bootstrap admin and a bootstrap service client, all
 * with random secrets handed over as 0600 files, as in production; and the public key of a
 * "previous" signing key (fresh, its private half thrown away) that the JWKS must keep listing.
 */
public class AuthTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN = "bootstrap-admin";
    public static final String CLIENT = "test-client";
    static final String ADMIN_PASSWORD_PROPERTY = "auth.test.admin-password";
    static final String CLIENT_SECRET_PROPERTY = "auth.test.client-secret";
    static final String PREVIOUS_MODULUS_PROPERTY = "auth.test.previous-key-modulus";

    public static String adminPassword() {
        return System.getProperty(ADMIN_PASSWORD_PROPERTY);
    }

    public static String clientSecret() {
        return System.getProperty(CLIENT_SECRET_PROPERTY);
    }

    /** The modulus (base64url, as in a JWK) of the previous signing key listed by configuration. */
    public static String previousKeyModulus() {
        return System.getProperty(PREVIOUS_MODULUS_PROPERTY);
    }

    @Override
    public Map<String, String> start() {
        String adminPassword = "Adm1n-" + random();
        String clientSecret = random();
        System.setProperty(ADMIN_PASSWORD_PROPERTY, adminPassword);
        System.setProperty(CLIENT_SECRET_PROPERTY, clientSecret);
        try {
            Path dir = Files.createTempDirectory("portcullis-clients-");
            Path file = dir.resolve(CLIENT);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, clientSecret + "\n");
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            RSAPublicKey previous = (RSAPublicKey) rsa.generateKeyPair().getPublic();
            byte[] n = previous.getModulus().toByteArray();
            System.setProperty(PREVIOUS_MODULUS_PROPERTY, Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(n[0] == 0 ? java.util.Arrays.copyOfRange(n, 1, n.length) : n));
            String previousPem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(previous.getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            return Map.of(
                    "portcullis.jwt.previous-public-keys", previousPem,
                    "portcullis.jwt.signing-key-location", TestTokens.privateKeyFile(),
                    "portcullis.bootstrap.admin.user", ADMIN,
                    "portcullis.bootstrap.admin.password", adminPassword,
                    "portcullis.bootstrap.clients-dir", dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public void stop() {
    }
}
