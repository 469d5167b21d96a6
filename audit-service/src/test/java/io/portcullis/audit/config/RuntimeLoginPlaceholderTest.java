package io.portcullis.audit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The service's login goes into SQL that the tables' owner runs: only a plain role name gets there. */
class RuntimeLoginPlaceholderTest {

    @Test
    void aPlainRoleNamePassesAndNothingElseDoes() {
        assertEquals("portcullis_audit_app", RuntimeLoginPlaceholder.placeholder("portcullis_audit_app"));
        assertEquals("", RuntimeLoginPlaceholder.placeholder(""), "none: one login for both");
        for (String hostile : new String[] { "app'; ALTER TABLE audit_event DISABLE TRIGGER ALL; --", "App", "a-b", "a b",
                "1app", "a".repeat(64), "app\"" }) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RuntimeLoginPlaceholder.placeholder(hostile),
                    hostile);
            assertEquals(false, e.getMessage().contains(hostile), "the refused value is not echoed");
        }
    }
}
