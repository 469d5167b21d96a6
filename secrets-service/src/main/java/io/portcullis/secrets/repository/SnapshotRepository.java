package io.portcullis.secrets.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/** The generation counter, and everything that hangs on it (policies, the active KEK), in one read. */
@ApplicationScoped
public class SnapshotRepository {

    /** One policy as stored: its rules still JSON. */
    public record StoredPolicy(String name, List<String> groups, String rulesJson) {
    }

    /** Policies and the active KEK as of {@code generation}, read in one statement (one snapshot). */
    public record Loaded(long generation, String activeKekId, List<StoredPolicy> policies) {
    }

    private final Pool pool;

    public SnapshotRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Long> generation() {
        return pool.preparedQuery("SELECT generation FROM secret_generation WHERE id = 1").execute()
                .map(rs -> rs.iterator().next().getLong(0));
    }

    public Uni<Loaded> load() {
        return pool.preparedQuery("SELECT g.generation, (SELECT id FROM secret_kek WHERE state = 'active') AS active_kek, "
                + "p.name, p.groups, p.rules FROM secret_generation g LEFT JOIN secret_policy p ON true WHERE g.id = 1")
                .execute().map(rs -> {
                    long generation = 0;
                    String active = null;
                    List<StoredPolicy> policies = new ArrayList<>();
                    for (Row r : rs) {
                        generation = r.getLong("generation");
                        active = r.getString("active_kek");
                        if (r.getString("name") != null) {
                            policies.add(new StoredPolicy(r.getString("name"), List.of(r.getArrayOfStrings("groups")),
                                    r.getString("rules")));
                        }
                    }
                    return new Loaded(generation, active, policies);
                });
    }
}
