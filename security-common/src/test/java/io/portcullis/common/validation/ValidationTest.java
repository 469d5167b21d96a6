package io.portcullis.common.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {

    @TempDir
    Path tmp;
    Path base;
    Path outside;

    @BeforeEach
    void layout() throws IOException {
        base = Files.createDirectories(tmp.resolve("base"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "top secret");
        Files.createDirectories(base.resolve("sub"));
        Files.writeString(base.resolve("sub/file.txt"), "ok");
    }

    // ---- package names (the seed's validate_package_name) ----

    @ParameterizedTest
    @ValueSource(strings = { "hello", "python3", "gnu-hello", "my_pkg", "A", "a-b_C-9" })
    void acceptsPackageNames(String name) {
        assertEquals(name, Validation.packageName("package", name));
    }

    @ParameterizedTest
    @ValueSource(strings = { "; rm -rf /", "$(id)", "`id`", "a b", "a\nb", "a\rb", "..", "../etc", "a/b", "a.b",
            "pkg\u0000", "héllo", "ｈｅｌｌｏ", "pkg\u2215x", "a\u2024\u2024", "%2e%2e", "a\\b", "a;b", "a|b", "a&b",
            "a>b", "*", "nixpkgs.hello", "\u200bhello" })
    void refusesHostilePackageNames(String name) {
        ValidationException e = assertThrows(ValidationException.class, () -> Validation.packageName("package", name));
        assertEquals("package", e.field());
        assertFalse(e.getMessage().contains(name), "the message never echoes the value");
    }

    @Test
    void refusesEmptyAndNullPackageNames() {
        assertThrows(ValidationException.class, () -> Validation.packageName("package", ""));
        assertThrows(ValidationException.class, () -> Validation.packageName("package", null));
    }

    @Test
    void packageNameLengthLimitIsExactly100() {
        assertEquals(100, Validation.packageName("package", "a".repeat(100)).length());
        ValidationException e = assertThrows(ValidationException.class, () -> Validation.packageName("package", "a".repeat(101)));
        assertTrue(e.getMessage().contains("at most 100"));
    }

    @Test
    void overlongInputIsRefusedBeforeAnyPatternRuns() {
        String huge = "a".repeat(10_000_000);
        assertThrows(ValidationException.class, () -> Validation.packageName("package", huge));
    }

    // ---- file paths (the seed's validate_file_path) ----

    @Test
    void acceptsPathsInsideTheBase() throws IOException {
        assertEquals(base.toRealPath().resolve("sub/file.txt"), Validation.filePath("path", "sub/file.txt", base));
        assertEquals(base.toRealPath().resolve("new/file.txt"), Validation.filePath("path", "new/file.txt", base),
                "a path that does not exist yet is fine when it would land inside");
        assertEquals(base.toRealPath().resolve("sub/file.txt"), Validation.filePath("path", "./sub//file.txt", base));
    }

    @Test
    void acceptsAnAbsolutePathInsideTheBase() throws IOException {
        Path inside = base.toRealPath().resolve("sub/file.txt");
        assertEquals(inside, Validation.filePath("path", inside.toString(), base));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "../outside/secret.txt", "sub/../../outside/secret.txt", "..", "sub/..", // plain traversal
            "%2e%2e/outside", "%2e%2e%2fsecret", "%252e%252e%252f", "..%2f", "%c0%ae%c0%ae/", // URL and double encoding, overlong UTF-8
            "..\\outside", "sub\\..\\..\\x", // backslashes
            "\uff0e\uff0e/outside", "\u2025/outside", "sub\u2215..\u2215x", "\u2024\u2024/x", // look-alikes
            "sub/file.txt\u0000.png", "\u0000", // NUL
            "/etc/passwd", "/", "//etc/passwd", // absolute escapes
            "sub/fi le", "sub/$(id)", "~/x", "sub/file;rm" })
    void refusesTraversalInEveryEncoding(String hostile) {
        ValidationException e = assertThrows(ValidationException.class, () -> Validation.filePath("path", hostile, base));
        assertEquals("path", e.field());
    }

    @Test
    void refusesOverlongPaths() {
        assertThrows(ValidationException.class, () -> Validation.filePath("path", "a/".repeat(2049), base));
    }

    @Test
    void refusesASymlinkThatEscapesTheBase() throws IOException {
        Files.createSymbolicLink(base.resolve("link"), outside);
        assertThrows(ValidationException.class, () -> Validation.filePath("path", "link/secret.txt", base));
        assertThrows(ValidationException.class, () -> Validation.filePath("path", "link", base));
        assertThrows(ValidationException.class, () -> Validation.filePath("path", "link/not-yet-there", base));
    }

    @Test
    void refusesASymlinkedFileThatEscapesTheBase() throws IOException {
        Files.createSymbolicLink(base.resolve("passwd"), Path.of("/etc/passwd"));
        assertThrows(ValidationException.class, () -> Validation.filePath("path", "passwd", base));
    }

    @Test
    void refusesADanglingSymlink() throws IOException {
        Files.createSymbolicLink(base.resolve("dangling"), tmp.resolve("nowhere"));
        assertThrows(ValidationException.class, () -> Validation.filePath("path", "dangling", base));
    }

    @Test
    void acceptsASymlinkThatStaysInside() throws IOException {
        Files.createSymbolicLink(base.resolve("alias"), base.resolve("sub"));
        assertEquals(base.toRealPath().resolve("sub/file.txt"), Validation.filePath("path", "alias/file.txt", base));
    }

    @Test
    void refusesAnAbsolutePathIntoASiblingWithTheSamePrefix() throws IOException {
        Path sibling = Files.createDirectories(tmp.resolve("base-evil"));
        assertThrows(ValidationException.class,
                () -> Validation.filePath("path", sibling.toRealPath().resolve("x").toString(), base));
    }

    // ---- generic allow-list and log neutralisation ----

    @Test
    void requireEnforcesMinimumAndMaximum() {
        assertThrows(ValidationException.class, () -> Validation.require("name", "ab", Validation.IDENTIFIER, 3, 64, "x"));
        assertEquals("abc", Validation.require("name", "abc", Validation.IDENTIFIER, 3, 64, "x"));
        assertThrows(ValidationException.class, () -> Validation.require("name", "a".repeat(65), Validation.IDENTIFIER, 3, 64, "x"));
    }

    @Test
    void forLogNeutralisesLineBreaksAndControlCharacters() {
        String forged = "alice\r\n2026-01-01 INFO admin logged in\u0000\u2028\u0085";
        String safe = Validation.forLog(forged, 1000);
        assertFalse(safe.contains("\n") || safe.contains("\r") || safe.contains("\u0000") || safe.contains("\u2028")
                || safe.contains("\u0085"));
        assertTrue(safe.startsWith("alice__2026"));
        assertEquals("aaaa...", Validation.forLog("aaaaaaaa", 4));
    }
}
