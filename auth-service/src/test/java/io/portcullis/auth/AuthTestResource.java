package io.portcullis.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * What auth-service needs under test besides PostgreSQL and Redis: the test signing key (so that its
 * tokens verify like {@link TestTokens}' do), a bootstrap admin and a bootstrap service client, all
 * with random secrets handed over as 0600 files, as in production.
 */
public class AuthTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN = "bootstrap-admin";
    public static final String CLIENT = "test-client";
    static final String ADMIN_PASSWORD_PROPERTY = "auth.test.admin-password";
    static final String CLIENT_SECRET_PROPERTY = "auth.test.client-secret";

    public static String adminPassword() {
        return System.getProperty(ADMIN_PASSWORD_PROPERTY);
    }

    public static String clientSecret() {
        return System.getProperty(CLIENT_SECRET_PROPERTY);
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
            return Map.of(
                    "portcullis.jwt.signing-key-location", TestTokens.privateKeyFile(),
                    "portcullis.bootstrap.admin.user", ADMIN,
                    "portcullis.bootstrap.admin.password", adminPassword,
                    "portcullis.bootstrap.clients-dir", dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
