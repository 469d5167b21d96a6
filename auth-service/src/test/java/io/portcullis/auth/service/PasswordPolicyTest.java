package io.portcullis.auth.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.portcullis.auth.config.PasswordConfig;
import io.portcullis.common.validation.ValidationException;

class PasswordPolicyTest {

    private final PasswordPolicy policy = new PasswordPolicy(PasswordHasherTest.config(PasswordConfig.Algorithm.ARGON2ID, 1, 1));

    @ParameterizedTest
    @ValueSource(strings = { "password1234", "Password1234", "123456789012", "qwertyuiop123", "iloveyou1234", "abcabcabcabc",
            "letmein12345", "welcome12345", "aaaaaaaaaaaa", "P@ssw0rd2024!", "portcullis2026", "monkey123456" })
    void refusesCommonAndGuessablePasswords(String password) {
        ValidationException e = assertThrows(ValidationException.class, () -> policy.check("password", password, "alice"));
        assertTrue(e.getMessage().contains("too common"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "correct horse battery staple", "vK9#mQ2$zL7!wR4p", "Ünïcødé-пароль-密码-ορθό",
            "my cat eats blue tulips at noon", "7f3b-91ce-tram-quilt" })
    void acceptsLongOrRandomPasswordsWithoutCompositionRules(String password) {
        assertDoesNotThrow(() -> policy.check("password", password, "alice"));
    }

    @Test
    void countsCharactersAfterNormalisation() {
        // eleven accented letters written decomposed: 22 code points, but 11 characters once normalised
        String decomposed = "e\u0301a\u0300o\u0302u\u0308i\u0301e\u0300a\u0302o\u0308u\u0301i\u0300y\u0308";
        assertTrue(decomposed.codePointCount(0, decomposed.length()) >= 12);
        ValidationException e = assertThrows(ValidationException.class, () -> policy.check("password", decomposed, "alice"));
        assertTrue(e.getMessage().contains("at least 12"), e.getMessage());
    }

    @Test
    void countsCodePointsNotUtf16Units() {
        // 12 emoji: 24 UTF-16 units, 12 characters -> accepted length-wise
        String emoji = "🦊🐙🦉🐢🦜🐝🦋🐬🦔🐿🦩🐳";
        assertTrue(emoji.length() > 12);
        assertDoesNotThrow(() -> policy.check("password", emoji, "alice"));
        assertThrows(ValidationException.class, () -> policy.check("password", "🦊🐙🦉🐢🦜🐝🦋🐬🦔🐿🦩", "alice"));
    }

    @Test
    void refusesThePasswordThatContainsTheUsername() {
        assertThrows(ValidationException.class, () -> policy.check("password", "zebra-ALICE-tulip-9", "alice"));
    }

    @Test
    void lengthLimitsAre12And128() {
        assertThrows(ValidationException.class, () -> policy.check("password", "vK9#mQ2$zL7", "alice"));
        assertThrows(ValidationException.class, () -> policy.check("password", "vK9#mQ2$zL7!".repeat(11), "alice"));
    }
}
