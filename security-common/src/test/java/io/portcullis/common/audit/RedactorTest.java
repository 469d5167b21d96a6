package io.portcullis.common.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RedactorTest {

    @ParameterizedTest
    @ValueSource(strings = { "password", "Password", "new_password", "oldPassword", "client_secret", "secret", "token",
            "accessToken", "refresh-token", "api_key", "apiKey", "X-API-Key", "authorization", "Authorization", "cookie",
            "Set-Cookie", "private_key", "privateKey", "credentials", "session_token", "passphrase" })
    void redactsValuesUnderSecretKeys(String key) {
        Map<String, String> out = Redactor.details(Map.of(key, "hunter2-very-secret"));
        assertEquals(Redactor.REDACTED, out.get(key));
    }

    @Test
    void keepsOrdinaryDetails() {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("username", "alice");
        in.put("path", "team/db/rotation-policy");
        in.put("attempts", "3");
        assertEquals(in, Redactor.details(in));
    }

    @ParameterizedTest
    @ValueSource(strings = { "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444",
            "378282246310005", "paid with 4012888888881881 today" })
    void redactsCardNumbersAnywhere(String value) {
        String out = Redactor.value(value);
        assertFalse(out.matches(".*\\d{13,}.*"), out);
        assertTrue(out.contains(Redactor.REDACTED));
    }

    @Test
    void keepsNumbersThatAreNotCards() {
        assertEquals("order 1234567890123", Redactor.value("order 1234567890123")); // fails Luhn
        assertEquals("42", Redactor.value("42"));
    }

    @Test
    void neverMistakesUuidsOrHexForCardNumbers() {
        // UUIDs whose groups are all digits, and long hex strings, look like digit runs with dashes
        for (String v : new String[] { "12345678-1234-1234-1234-123456789012", "user:40123456-7890-1234-5678-901234567890",
                "job 98765432-1012-3456-7890-123456789012 done", "abc4111111111111111", "4111111111111111abc",
                "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }) {
            assertEquals(v, Redactor.value(v), v);
        }
        for (int i = 0; i < 20_000; i++) {
            String uuid = java.util.UUID.randomUUID().toString();
            assertEquals(uuid, Redactor.value(uuid));
        }
    }

    @Test
    void leavesIdentifyingFieldsAlone() {
        AuditEvent e = AuditEvent.builder("session", "success").actor("user:41111111-1111-1111-1111-111111111111")
                .requestId("4111111111111111").build();
        AuditEvent out = Redactor.event(e);
        assertEquals(e.actor(), out.actor());
        assertEquals(e.requestId(), out.requestId());
    }

    @Test
    void redactsJwtsApiKeysBearerAndPem() {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyOjEifQ.c2lnbmF0dXJlLWJ5dGVz";
        assertFalse(Redactor.value("token was " + jwt).contains("eyJ"));
        assertFalse(Redactor.value("key pcx_abc123_SECRETsecretSECRET").contains("SECRETsecret"));
        assertFalse(Redactor.value("Authorization: Bearer abc.def.ghi").contains("abc.def"));
        assertEquals(Redactor.REDACTED, Redactor.value("-----BEGIN PRIVATE KEY-----\nMIIE..."));
    }

    @Test
    void neutralisesLineBreaksAndBoundsLength() {
        String out = Redactor.value("alice\r\nFAKE admin login ok");
        assertFalse(out.contains("\n") || out.contains("\r"));
        assertTrue(Redactor.value("x".repeat(5000)).length() <= Redactor.MAX_VALUE + 3);
    }
}
