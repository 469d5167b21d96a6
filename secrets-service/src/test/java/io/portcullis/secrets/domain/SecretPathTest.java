package io.portcullis.secrets.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.portcullis.common.validation.ValidationException;

class SecretPathTest {

    @ParameterizedTest
    @ValueSource(strings = { "a", "app/db/password", "A-b_c.d/e", "x/...", "1/2/3" })
    void acceptsPlainPaths(String path) {
        assertEquals(path, SecretPath.require("path", path));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "/a", "a/", "a//b", "a/./b", "a/../b", "..", ".", "a/..", "a\\b", "a b", "a%2fb", "ä",
            "a\u0000b", "a\nb", "a;b", "a/b?c", "a/b#c", "a\u2215b", "a\uff0e\uff0e/b" })
    void refusesHostilePaths(String path) {
        ValidationException e = assertThrows(ValidationException.class, () -> SecretPath.require("path", path));
        assertEquals("path", e.field());
        if (path.length() >= 3) {
            assertFalse(e.getMessage().contains(path), "the message must not echo the input");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "a/metadata", "x/share", "undelete", "p/q/destroy" })
    void refusesTheWordsTheApiPutsAfterAPathAsLastSegment(String path) {
        assertEquals("path", assertThrows(ValidationException.class, () -> SecretPath.require("path", path)).field());
        assertEquals(path, SecretPath.requirePrefix("pathPrefix", path)); // fine as a policy prefix
    }

    @Test
    void refusesPathsOver512Bytes() {
        String ok = "a".repeat(512);
        assertEquals(ok, SecretPath.require("path", ok));
        assertThrows(ValidationException.class, () -> SecretPath.require("path", ok + "b"));
    }

    @Test
    void prefixesCoverWholeSegmentsOnly() {
        assertTrue(SecretPath.covers("app", "app"));
        assertTrue(SecretPath.covers("app", "app/db"));
        assertFalse(SecretPath.covers("app", "apple"));
        assertFalse(SecretPath.covers("app/db", "app"));
        assertTrue(SecretPath.covers("*", "anything/at/all"));
    }

    @Test
    void listingPrefixToleratesOneTrailingSlash() {
        assertEquals("app", SecretPath.listingPrefix("prefix", "app/"));
        assertEquals("", SecretPath.listingPrefix("prefix", null));
        assertThrows(ValidationException.class, () -> SecretPath.listingPrefix("prefix", "app//"));
    }
}
