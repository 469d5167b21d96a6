package io.portcullis.secrets.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PolicySetTest {

    static PolicySet policies() {
        return PolicySet.of(List.of(
                new PolicySet.Entry(List.of("dev"), List.of(new PolicyRule("team/dev", EnumSet.of(Capability.READ, Capability.LIST)))),
                new PolicySet.Entry(List.of("ops"), List.of(new PolicyRule("team", EnumSet.allOf(Capability.class)))),
                new PolicySet.Entry(List.of("root"), List.of(new PolicyRule("*", EnumSet.of(Capability.LIST))))));
    }

    @Test
    void deniesByDefault() {
        assertFalse(policies().allows(Set.of("nobody"), Capability.READ, "team/dev/x"));
        assertFalse(PolicySet.EMPTY.allows(Set.of("admin"), Capability.READ, "x"));
    }

    @Test
    void grantsOnlyTheNamedCapabilitiesUnderThePrefix() {
        PolicySet p = policies();
        assertTrue(p.allows(Set.of("dev"), Capability.READ, "team/dev/db"));
        assertFalse(p.allows(Set.of("dev"), Capability.WRITE, "team/dev/db"));
        assertFalse(p.allows(Set.of("dev"), Capability.READ, "team/devops/db"));
        assertFalse(p.allows(Set.of("dev"), Capability.READ, "team/other"));
        assertTrue(p.allows(Set.of("dev", "ops"), Capability.DESTROY, "team/other"));
    }

    @Test
    void listingNarrowsToWhatTheRulesCover() {
        PolicySet p = policies();
        assertEquals(Set.of("team/dev/x"), p.listable(Set.of("dev"), "team/dev/x"));
        assertEquals(Set.of("team/dev"), p.listable(Set.of("dev"), "team"));
        assertEquals(Set.of("team/dev"), p.listable(Set.of("dev"), ""));
        assertEquals(Set.of(), p.listable(Set.of("dev"), "elsewhere"));
        assertEquals(Set.of(""), p.listable(Set.of("root"), ""));
    }
}
