package io.portcullis.secrets.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every policy, indexed by group, as one immutable value: the answer to "may a caller in these
 * groups do this on that path?". Deny by default: only a rule of a policy naming one of the caller's
 * groups grants, and nothing (no group name, no role) bypasses the rules.
 */
public final class PolicySet {

    public static final PolicySet EMPTY = new PolicySet(Map.of());

    private final Map<String, List<PolicyRule>> byGroup;

    private PolicySet(Map<String, List<PolicyRule>> byGroup) {
        this.byGroup = byGroup;
    }

    /** One policy's groups and rules, as loaded. */
    public record Entry(Collection<String> groups, Collection<PolicyRule> rules) {
    }

    public static PolicySet of(Collection<Entry> policies) {
        Map<String, List<PolicyRule>> map = new HashMap<>();
        for (Entry p : policies) {
            for (String g : p.groups()) {
                map.computeIfAbsent(g, k -> new ArrayList<>()).addAll(p.rules());
            }
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        return new PolicySet(Map.copyOf(map));
    }

    public boolean allows(Set<String> groups, Capability capability, String path) {
        for (String g : groups) {
            List<PolicyRule> rules = byGroup.get(g);
            if (rules != null) {
                for (PolicyRule r : rules) {
                    if (r.grants(capability, path)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The prefixes under {@code prefix} (empty: everything) that the caller may list: {@code prefix}
     * itself when a rule covers it, else the narrower rule prefixes inside it. Empty when nothing
     * can be listed there. The empty string in the result means "no restriction".
     */
    public Set<String> listable(Set<String> groups, String prefix) {
        Set<String> out = new LinkedHashSet<>();
        for (String g : groups) {
            for (PolicyRule r : byGroup.getOrDefault(g, List.of())) {
                if (!r.capabilities().contains(Capability.LIST)) {
                    continue;
                }
                String rulePrefix = SecretPath.EVERYTHING.equals(r.pathPrefix()) ? "" : r.pathPrefix();
                if (SecretPath.covers(rulePrefix, prefix)) {
                    return Set.of(prefix);
                }
                if (SecretPath.covers(prefix, rulePrefix)) {
                    out.add(rulePrefix);
                }
            }
        }
        return out;
    }
}
