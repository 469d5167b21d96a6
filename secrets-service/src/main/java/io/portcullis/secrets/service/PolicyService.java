package io.portcullis.secrets.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.Validation;
import io.portcullis.common.validation.ValidationException;
import io.portcullis.secrets.domain.Caller;
import io.portcullis.secrets.domain.Capability;
import io.portcullis.secrets.domain.Policy;
import io.portcullis.secrets.domain.PolicyRule;
import io.portcullis.secrets.domain.SecretPath;
import io.portcullis.secrets.repository.PolicyRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * Policies: {@code {groups, rules: [{pathPrefix, capabilities}]}}. A rule grants its capabilities on
 * its prefix (a path and everything below it, or {@code *} for every path) to every member of the
 * policy's groups; nothing else grants anything. Changes are {@code config_change} events, and every
 * instance sees them at its next query (the generation counter, see {@link Snapshots}).
 */
@ApplicationScoped
public class PolicyService {

    /** A rule as a client sends it. */
    @RegisterForReflection
    public record RuleInput(String pathPrefix, List<String> capabilities) {
    }

    /** A policy as shown. */
    @RegisterForReflection
    public record View(String name, List<String> groups, List<RuleInput> rules, Instant createdAt, Instant updatedAt,
            String updatedBy) {
    }

    public record Saved(View policy, boolean created) {
    }

    public static final int MAX_NAME = 64;
    public static final int MAX_GROUPS = 32;
    public static final int MAX_RULES = 100;

    private final PolicyRepository policies;
    private final PolicyCodec codec;
    private final SecretAudit audit;

    public PolicyService(PolicyRepository policies, PolicyCodec codec, SecretAudit audit) {
        this.policies = policies;
        this.codec = codec;
        this.audit = audit;
    }

    public Uni<Saved> put(Caller caller, String name, List<String> groups, List<RuleInput> rules) {
        requireName(name);
        String[] g = groups(groups);
        List<PolicyRule> r = rules(rules);
        String json = codec.encode(r);
        return save(name, g, json, caller.actor()).invoke(saved -> audit.configChange(
                saved.created() ? "policy_created" : "policy_updated", "policy", name, "groups", String.join(",", g)));
    }

    @WithTransaction
    Uni<Saved> save(String name, String[] groups, String rulesJson, String actor) {
        Instant now = Times.now();
        return policies.findById(name, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).chain(existing -> {
            boolean created = existing == null;
            Policy p = created ? new Policy(name, now) : existing;
            p.replace(groups, rulesJson, now, actor);
            return (created ? policies.persist(p) : Uni.createFrom().item(p)).map(x -> new Saved(view(p), created));
        });
    }

    @WithTransaction
    public Uni<View> get(String name) {
        requireName(name);
        return policies.findById(name).map(p -> {
            if (p == null) {
                throw ProblemException.notFound("No such policy.");
            }
            return view(p);
        });
    }

    @WithTransaction
    public Uni<List<View>> list() {
        return policies.listAll(Sort.by("name")).map(list -> list.stream().map(this::view).toList());
    }

    public Uni<Void> delete(Caller caller, String name) {
        requireName(name);
        return remove(name).invoke(() -> audit.configChange("policy_deleted", "policy", name, "by", caller.actor()));
    }

    @WithTransaction
    Uni<Void> remove(String name) {
        return policies.deleteById(name).map(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("No such policy.");
            }
            return null;
        });
    }

    private View view(Policy p) {
        List<RuleInput> rules = new ArrayList<>();
        for (PolicyRule r : codec.decode(p.getRules())) {
            rules.add(new RuleInput(r.pathPrefix(), PolicyCodec.capabilities(r.capabilities())));
        }
        return new View(p.getName(), List.of(p.getGroups()), rules, p.getCreatedAt(), p.getUpdatedAt(), p.getUpdatedBy());
    }

    static void requireName(String name) {
        Validation.require("name", name, Validation.IDENTIFIER, MAX_NAME,
                "letters, digits, '.', '-' and '_', starting with a letter or digit");
    }

    static String[] groups(List<String> groups) {
        if (groups == null || groups.isEmpty()) {
            throw new ValidationException("groups", "groups must name at least one group");
        }
        if (groups.size() > MAX_GROUPS) {
            throw new ValidationException("groups", "groups may name at most " + MAX_GROUPS + " groups");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < groups.size(); i++) {
            out.add(Validation.require("groups[" + i + "]", groups.get(i), Validation.IDENTIFIER, MAX_NAME,
                    "letters, digits, '.', '-' and '_', starting with a letter or digit"));
        }
        return out.toArray(new String[0]);
    }

    static List<PolicyRule> rules(List<RuleInput> rules) {
        if (rules == null || rules.isEmpty()) {
            throw new ValidationException("rules", "rules must hold at least one rule");
        }
        if (rules.size() > MAX_RULES) {
            throw new ValidationException("rules", "rules may hold at most " + MAX_RULES + " rules");
        }
        List<PolicyRule> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            RuleInput r = rules.get(i);
            String field = "rules[" + i + "]";
            if (r == null) {
                throw new ValidationException(field, field + " is required");
            }
            String prefix = SecretPath.requirePrefix(field + ".pathPrefix", r.pathPrefix());
            if (r.capabilities() == null || r.capabilities().isEmpty()) {
                throw new ValidationException(field + ".capabilities", field + ".capabilities must name at least one capability");
            }
            Set<Capability> caps = EnumSet.noneOf(Capability.class);
            for (int j = 0; j < r.capabilities().size(); j++) {
                String c = r.capabilities().get(j);
                String f = field + ".capabilities[" + j + "]";
                caps.add(Capability.fromWire(c).orElseThrow(() -> new ValidationException(f,
                        f + " must be one of read, write, delete, destroy, list, share")));
            }
            out.add(new PolicyRule(prefix, caps));
        }
        return out;
    }
}
