package io.portcullis.secrets.repository;

import java.time.Instant;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.secrets.domain.Envelope;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The write side of versions, through the reactive client: a new version is one statement that moves
 * the path's counter from N to N+1 only if it is still N (and the policies are still those the write
 * was authorized under), inserts the sealed version and removes the one version it pushes beyond
 * {@code max_versions}; in autocommit that is one round trip and one commit.
 *
 * <p>Exactly one, by equality: a path never holds versions older than its window, because lowering
 * {@code max_versions} prunes at once ({@code SecretWrites#configure}) and every write prunes the one it
 * pushes out. A range ({@code version <= N - max}) would walk, in the index, every version pruned before
 * and not yet vacuumed: on a path written often that scan grew with every write (pgbench, 8 clients:
 * 5,300 writes/s falling to 2,200 within a minute, against a steady 5,600–6,200 with equality).
 */
@ApplicationScoped
public class SecretWriteRepository {

    /** A path's counter and settings, and the generation counter, as one statement saw them. */
    public record Current(long generation, boolean exists, int version, boolean casRequired) {
    }

    private static final String CURRENT = "SELECT g.generation, m.path, m.current_version, m.cas_required "
            + "FROM secret_generation g LEFT JOIN secret_metadata m ON m.path = $1 WHERE g.id = 1";

    private static final String INSERT_NEXT = "WITH m AS ("
            + "UPDATE secret_metadata SET current_version = $2, updated_at = $3 "
            + "WHERE path = $1 AND current_version = $2 - 1 AND (NOT cas_required OR $10) "
            + "AND (SELECT generation FROM secret_generation WHERE id = 1) = $11 RETURNING max_versions), "
            + "v AS (INSERT INTO secret_version (path, version, created_at, created_by, kek_id, dek_nonce, wrapped_dek, nonce, ciphertext) "
            + "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM m RETURNING version), "
            + "d AS (DELETE FROM secret_version o USING m WHERE o.path = $1 AND o.version = $2 - m.max_versions) "
            + "SELECT count(*) AS written FROM v";

    private final Pool pool;

    public SecretWriteRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** The path's current version (0 and {@code exists=false} when it has no metadata yet). */
    public Uni<Current> current(String path) {
        return pool.preparedQuery(CURRENT).execute(Tuple.of(path)).map(rs -> current(rs.iterator().next()));
    }

    /** Creates the path's metadata (version 0) unless it exists. */
    public Uni<Void> createIfMissing(SqlClient client, String path, int maxVersions, Instant now) {
        return client.preparedQuery("INSERT INTO secret_metadata (path, current_version, max_versions, cas_required, "
                + "created_at, updated_at) VALUES ($1, 0, $2, false, $3, $3) ON CONFLICT (path) DO NOTHING")
                .execute(Tuple.of(path, maxVersions, now.atOffset(ZoneOffset.UTC))).replaceWithVoid();
    }

    /** Like {@link #current} but locks the path's row until {@code c}'s transaction ends. */
    public Uni<Current> lock(SqlConnection c, String path) {
        return c.preparedQuery("SELECT g.generation, m.path, m.current_version, m.cas_required FROM secret_metadata m, "
                + "secret_generation g WHERE m.path = $1 AND g.id = 1 FOR NO KEY UPDATE OF m")
                .execute(Tuple.of(path)).map(rs -> rs.size() == 0 ? null : current(rs.iterator().next()));
    }

    /**
     * Stores {@code envelope} as version {@code version} of {@code path} if the path is still at
     * {@code version - 1}, unless {@code withCas} does not require check-and-set, and policies and keys
     * are still at {@code generation} (the one the write was authorized under). False otherwise: nothing
     * was written.
     */
    public Uni<Boolean> insertNext(SqlClient client, String path, int version, Instant now, String actor, Envelope e,
            boolean withCas, long generation) {
        return client.preparedQuery(INSERT_NEXT).execute(Tuple.from(new Object[] { path, version, now.atOffset(ZoneOffset.UTC),
                actor, e.kekId(), Buffer.buffer(e.dekNonce()), Buffer.buffer(e.wrappedDek()), Buffer.buffer(e.nonce()),
                Buffer.buffer(e.ciphertext()), withCas, generation }))
                .map(rs -> rs.iterator().next().getLong("written") == 1);
    }

    private static Current current(Row r) {
        boolean exists = r.getString("path") != null;
        return new Current(r.getLong("generation"), exists, exists ? r.getInteger("current_version") : 0,
                exists && r.getBoolean("cas_required"));
    }
}
