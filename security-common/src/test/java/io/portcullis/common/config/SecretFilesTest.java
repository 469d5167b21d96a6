package io.portcullis.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretFilesTest {

    private static final String VALUE = "correct-horse-battery-staple";

    @TempDir
    Path tmp;

    private Path secretFile(String perms) throws IOException {
        Path f = tmp.resolve("secret-" + perms);
        Files.writeString(f, VALUE + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = { "rw-------", "r--------" })
    void readsAPrivateFileWithoutItsTrailingNewline(String perms) throws IOException {
        assertEquals(VALUE, SecretFiles.read("PORTCULLIS_X_FILE", secretFile(perms)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "rw-r--r--", "rw-r-----", "rw----r--", "rw-----w-", "rw--w----", "rwx-----x" })
    void refusesAFileOpenToGroupOrOthersNamingTheSettingButNeverTheValue(String perms) throws IOException {
        SecretFiles.SecretConfigException e = assertThrows(SecretFiles.SecretConfigException.class,
                () -> SecretFiles.read("PORTCULLIS_X_FILE", secretFile(perms)));
        assertTrue(e.getMessage().startsWith("PORTCULLIS_X_FILE "), e.getMessage());
        assertTrue(e.getMessage().contains("group or others"));
        assertFalse(e.getMessage().contains(VALUE));
    }

    @Test
    void followsASymlinkAndJudgesTheTarget() throws IOException {
        Path target = secretFile("rw-r--r--");
        Path link = tmp.resolve("link");
        Files.createSymbolicLink(link, target);
        assertThrows(SecretFiles.SecretConfigException.class, () -> SecretFiles.read("S_FILE", link));
    }

    @Test
    void refusesMissingAndEmptyFiles() throws IOException {
        SecretFiles.SecretConfigException missing = assertThrows(SecretFiles.SecretConfigException.class,
                () -> SecretFiles.read("PORTCULLIS_X_FILE", tmp.resolve("nope")));
        assertTrue(missing.getMessage().contains("PORTCULLIS_X_FILE"));
        Path empty = tmp.resolve("empty");
        Files.writeString(empty, "\n");
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
        assertThrows(SecretFiles.SecretConfigException.class, () -> SecretFiles.read("PORTCULLIS_X_FILE", empty));
    }

    @Test
    void mapsEveryPrefixedFileVariableToItsSetting() throws IOException {
        Path f = secretFile("rw-------");
        Map<String, String> secrets = SecretFiles.fromEnvironment(Map.of(
                "PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD_FILE", f.toString(),
                "QUARKUS_DATASOURCE_PASSWORD_FILE", f.toString(),
                "SOMETHING_ELSE_FILE", "/does/not/matter",
                "PATH", "/usr/bin"));
        assertEquals(Map.of("PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD", VALUE, "QUARKUS_DATASOURCE_PASSWORD", VALUE), secrets);
    }

    @Test
    void refusesAValueAndAFileForTheSameSetting() throws IOException {
        Path f = secretFile("rw-------");
        SecretFiles.SecretConfigException e = assertThrows(SecretFiles.SecretConfigException.class,
                () -> SecretFiles.fromEnvironment(Map.of("PORTCULLIS_X_FILE", f.toString(), "PORTCULLIS_X", "inline")));
        assertTrue(e.getMessage().contains("PORTCULLIS_X"));
        assertFalse(e.getMessage().contains("inline"));
    }

    @Test
    void theConfigSourceServesTheSecretUnderItsPropertyName() throws IOException {
        Path f = secretFile("rw-------");
        var source = new SecretFileConfigSourceProvider.SecretFileConfigSource(
                SecretFiles.fromEnvironment(Map.of("PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD_FILE", f.toString())));
        assertEquals(VALUE, source.getValue("portcullis.bootstrap.admin.password"));
        assertEquals(VALUE, source.getValue("PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD"));
    }
}
