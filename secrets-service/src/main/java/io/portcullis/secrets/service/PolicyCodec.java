package io.portcullis.secrets.service;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.portcullis.secrets.domain.Capability;
import io.portcullis.secrets.domain.PolicyRule;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A policy's rules as stored in {@code secret_policy.rules}: a small JSON array. */
@ApplicationScoped
public class PolicyCodec {

    /** The stored shape of one rule. */
    @RegisterForReflection
    public record StoredRule(String pathPrefix, List<String> capabilities) {
    }

    private static final TypeReference<List<StoredRule>> LIST = new TypeReference<>() {
    };

    private final ObjectMapper json;

    public PolicyCodec(ObjectMapper json) {
        this.json = json;
    }

    public String encode(List<PolicyRule> rules) {
        List<StoredRule> stored = new ArrayList<>();
        for (PolicyRule r : rules) {
            stored.add(new StoredRule(r.pathPrefix(), capabilities(r.capabilities())));
        }
        try {
            return json.writeValueAsString(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode policy rules", e);
        }
    }

    /** The rules; an unknown capability in the database is ignored (it grants nothing). */
    public List<PolicyRule> decode(String rulesJson) {
        List<StoredRule> stored;
        try {
            stored = json.readValue(rulesJson, LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored policy has malformed rules", e);
        }
        List<PolicyRule> out = new ArrayList<>();
        for (StoredRule s : stored) {
            Set<Capability> caps = EnumSet.noneOf(Capability.class);
            for (String c : s.capabilities()) {
                Capability.fromWire(c).ifPresent(caps::add);
            }
            out.add(new PolicyRule(s.pathPrefix(), caps));
        }
        return out;
    }

    /** In the enum's order, as wire names. */
    public static List<String> capabilities(Set<Capability> set) {
        List<String> out = new ArrayList<>();
        for (Capability c : Capability.values()) {
            if (set.contains(c)) {
                out.add(c.wire());
            }
        }
        return out;
    }
}
