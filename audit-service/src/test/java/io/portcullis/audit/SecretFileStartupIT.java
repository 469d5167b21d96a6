package io.portcullis.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service refuses to start with a secret file that group or others can read, and says
 * which setting is wrong without ever printing the secret.
 */
class SecretFileStartupIT {

    @TempDir
    Path tmp;

    @Test
    void refusesToStartWithAWorldReadableSecretFileNamingTheSettingNotTheValue() throws Exception {
        String secret = "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-MATERIAL-42\n-----END PRIVATE KEY-----\n";
        Path key = tmp.resolve("signing.pem");
        Files.writeString(key, secret);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=0", "-Dquarkus.management.port=0", "-jar", "target/quarkus-app/quarkus-run.jar"))
                .redirectErrorStream(true);
        pb.environment().put("PORTCULLIS_AUDIT_LOG_SIGNING_KEY_FILE", key.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the start must fail, not hang");
        assertNotEquals(0, p.exitValue());
        assertTrue(output.contains("PORTCULLIS_AUDIT_LOG_SIGNING_KEY_FILE"), output);
        assertTrue(output.contains("group or others"), output);
        assertFalse(output.contains("TOP-SECRET-MATERIAL-42"), "the secret never shows");
    }
}
