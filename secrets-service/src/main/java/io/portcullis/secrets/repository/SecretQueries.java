package io.portcullis.secrets.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.secrets.domain.Envelope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The read side, straight through the reactive client: one statement per request, each carrying the
 * generation counter so the caller can check its cached policies in the same round trip.
 */
@ApplicationScoped
public class SecretQueries {

    /** A version as read for its value; {@code version} is null when there is no such version. */
    public record VersionRow(long generation, Integer version, Instant createdAt, Instant deletedAt, Instant destroyedAt,
            Envelope envelope) {
    }

    /** One version's state, without its data. */
    public record VersionState(int version, Instant createdAt, String createdBy, Instant deletedAt, Instant destroyedAt) {
    }

    /** A path's metadata; {@code null} fields when it does not exist. */
    public record MetadataRow(long generation, boolean exists, int currentVersion, int maxVersions, boolean casRequired,
            Instant createdAt, Instant updatedAt, List<VersionState> versions) {
    }

    public record ListedPath(String path, int currentVersion, Instant updatedAt) {
    }

    public record ListRows(long generation, List<ListedPath> paths) {
    }

    private static final String COLUMNS = "g.generation, v.version, v.created_at, v.deleted_at, v.destroyed_at, v.kek_id, "
            + "v.dek_nonce, v.wrapped_dek, v.nonce, v.ciphertext";
    /** The current version is the highest (versions only grow; only the oldest are ever removed). */
    private static final String READ_CURRENT = "SELECT " + COLUMNS + " FROM secret_generation g LEFT JOIN LATERAL "
            + "(SELECT * FROM secret_version WHERE path = $1 ORDER BY version DESC LIMIT 1) v ON true WHERE g.id = 1";
    private static final String READ_VERSION = "SELECT " + COLUMNS + " FROM secret_generation g "
            + "LEFT JOIN secret_version v ON v.path = $1 AND v.version = $2 WHERE g.id = 1";

    private final Pool pool;

    public SecretQueries(Pool pool) {
        this.pool = pool;
    }

    /** The version {@code version} of {@code path}, or its current one when {@code version} is null. */
    public Uni<VersionRow> read(String path, Integer version) {
        Uni<io.vertx.mutiny.sqlclient.RowSet<Row>> rows = version == null
                ? pool.preparedQuery(READ_CURRENT).execute(Tuple.of(path))
                : pool.preparedQuery(READ_VERSION).execute(Tuple.of(path, version));
        return rows.map(rs -> {
            Row r = rs.iterator().next();
            long generation = r.getLong("generation");
            if (r.getInteger("version") == null) {
                return new VersionRow(generation, null, null, null, null, null);
            }
            Envelope e = r.getString("kek_id") == null ? null
                    : new Envelope(r.getString("kek_id"), bytes(r, "dek_nonce"), bytes(r, "wrapped_dek"), bytes(r, "nonce"),
                            bytes(r, "ciphertext"));
            return new VersionRow(generation, r.getInteger("version"), instant(r, "created_at"), instant(r, "deleted_at"),
                    instant(r, "destroyed_at"), e);
        });
    }

    public Uni<MetadataRow> metadata(String path) {
        return pool.preparedQuery("SELECT g.generation, m.path AS meta_path, m.current_version, m.max_versions, m.cas_required, "
                + "m.created_at AS meta_created, m.updated_at, v.version, v.created_at, v.created_by, v.deleted_at, v.destroyed_at "
                + "FROM secret_generation g LEFT JOIN secret_metadata m ON m.path = $1 "
                + "LEFT JOIN secret_version v ON v.path = m.path WHERE g.id = 1 ORDER BY v.version")
                .execute(Tuple.of(path)).map(rs -> {
                    MetadataRow out = null;
                    List<VersionState> versions = new ArrayList<>();
                    for (Row r : rs) {
                        if (out == null) {
                            boolean exists = r.getString("meta_path") != null;
                            out = exists
                                    ? new MetadataRow(r.getLong("generation"), true, r.getInteger("current_version"),
                                            r.getInteger("max_versions"), r.getBoolean("cas_required"), instant(r, "meta_created"),
                                            instant(r, "updated_at"), versions)
                                    : new MetadataRow(r.getLong("generation"), false, 0, 0, false, null, null, List.of());
                        }
                        if (r.getInteger("version") != null) {
                            versions.add(new VersionState(r.getInteger("version"), instant(r, "created_at"),
                                    r.getString("created_by"), instant(r, "deleted_at"), instant(r, "destroyed_at")));
                        }
                    }
                    return out;
                });
    }

    /**
     * Paths under any of {@code prefixes} (the empty string: every path), after {@code after}, in byte
     * order, at most {@code limit}. A prefix covers itself and what lies below {@code prefix/}; with the
     * "C" collation that is two ranges of the primary key.
     */
    public Uni<ListRows> list(List<String> prefixes, String after, int limit) {
        boolean everything = prefixes.contains("");
        String sql = "SELECT g.generation, m.path, m.current_version, m.updated_at FROM secret_generation g "
                + "LEFT JOIN LATERAL (SELECT path, current_version, updated_at FROM secret_metadata m WHERE m.path > $1 "
                + (everything ? "" : "AND EXISTS (SELECT 1 FROM unnest($3::text[]) p WHERE m.path = p "
                        + "OR (m.path > p || '/' AND m.path < p || '0')) ")
                + "ORDER BY m.path LIMIT $2) m ON true WHERE g.id = 1";
        Tuple args = everything ? Tuple.of(after, limit) : Tuple.of(after, limit, prefixes.toArray(new String[0]));
        return pool.preparedQuery(sql).execute(args).map(rs -> {
            long generation = 0;
            List<ListedPath> out = new ArrayList<>();
            for (Row r : rs) {
                generation = r.getLong("generation");
                if (r.getString("path") != null) {
                    out.add(new ListedPath(r.getString("path"), r.getInteger("current_version"), instant(r, "updated_at")));
                }
            }
            return new ListRows(generation, out);
        });
    }

    static byte[] bytes(Row r, String column) {
        Buffer b = r.getBuffer(column);
        return b == null ? null : b.getBytes();
    }

    static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

}
