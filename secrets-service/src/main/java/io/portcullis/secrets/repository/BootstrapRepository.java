package io.portcullis.secrets.repository;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** What the start-up needs from the database: the KDF salt, the KEK registry, the first policy. */
@ApplicationScoped
public class BootstrapRepository {

    public record Kdf(String algorithm, int iterations, byte[] salt) {
    }

    private final Pool pool;

    public BootstrapRepository(Pool pool) {
        this.pool = pool;
    }

    /** The stored KDF parameters, or {@code proposed} stored now when there are none (first start). */
    public Uni<Kdf> kdf(Kdf proposed) {
        return pool.preparedQuery("INSERT INTO secret_kdf (id, algorithm, iterations, salt) VALUES (1, $1, $2, $3) "
                + "ON CONFLICT (id) DO NOTHING")
                .execute(Tuple.of(proposed.algorithm(), proposed.iterations(), Buffer.buffer(proposed.salt())))
                .chain(() -> pool.preparedQuery("SELECT algorithm, iterations, salt FROM secret_kdf WHERE id = 1").execute())
                .map(rs -> {
                    Row r = rs.iterator().next();
                    return new Kdf(r.getString("algorithm"), r.getInteger("iterations"), r.getBuffer("salt").getBytes());
                });
    }

    /** Records the ids of the configured KEKs (as {@code available} when new). */
    public Uni<Void> register(List<String> kekIds) {
        return pool.preparedQuery("INSERT INTO secret_kek (id, state) SELECT unnest($1::text[]), 'available' "
                + "ON CONFLICT (id) DO NOTHING").execute(Tuple.of(kekIds.toArray(new String[0]))).replaceWithVoid();
    }

    public Uni<Optional<String>> activeKek() {
        return pool.preparedQuery("SELECT id FROM secret_kek WHERE state = 'active'").execute()
                .map(rs -> rs.size() == 0 ? Optional.empty() : Optional.of(rs.iterator().next().getString(0)));
    }

    public Uni<Optional<String>> state(String kekId) {
        return pool.preparedQuery("SELECT state FROM secret_kek WHERE id = $1").execute(Tuple.of(kekId))
                .map(rs -> rs.size() == 0 ? Optional.empty() : Optional.of(rs.iterator().next().getString(0)));
    }

    /** Makes {@code kekId} active if no KEK is; true if this call did it. */
    public Uni<Boolean> activateIfNone(String kekId) {
        return pool.preparedQuery("UPDATE secret_kek SET state = 'active', activated_at = now() WHERE id = $1 "
                + "AND state = 'available' AND NOT EXISTS (SELECT 1 FROM secret_kek WHERE state = 'active')")
                .execute(Tuple.of(kekId)).map(rs -> rs.rowCount() == 1)
                .onFailure().recoverWithItem(false); // another instance won the race (unique index)
    }

    /** Dev mode only: makes {@code kekId} the active KEK whatever was active before. */
    public Uni<Void> forceActive(String kekId) {
        return pool.withTransaction(c -> c.query("LOCK TABLE secret_version IN SHARE ROW EXCLUSIVE MODE").execute()
                .chain(() -> c.preparedQuery("UPDATE secret_kek SET state = 'available' WHERE state = 'active'").execute())
                .chain(() -> c.preparedQuery("UPDATE secret_kek SET state = 'active', activated_at = now() WHERE id = $1")
                        .execute(Tuple.of(kekId))))
                .replaceWithVoid();
    }

    /** Creates the policy {@code name} only when no policy exists at all; true if it did. */
    public Uni<Boolean> createFirstPolicy(String name, String[] groups, String rulesJson) {
        return pool.preparedQuery("INSERT INTO secret_policy (name, groups, rules, created_at, updated_at, updated_by) "
                + "SELECT $1, $2, $3, now(), now(), 'bootstrap' WHERE NOT EXISTS (SELECT 1 FROM secret_policy) "
                + "ON CONFLICT (name) DO NOTHING")
                .execute(Tuple.of(name, groups, rulesJson)).map(rs -> rs.rowCount() == 1);
    }
}
