package io.portcullis.secrets.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.secrets.domain.Envelope;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Wrapped data keys in bulk, for rewrapping: only the key columns are read or written, never a
 * value's ciphertext. Through the reactive client, a batch per statement.
 */
@ApplicationScoped
public class DataKeyRepository {

    /** A data key to rewrap, and where it belongs (its AAD). */
    public record Wrapped(long id, String path, int version, Envelope.WrappedKey key) {
    }

    /** The new wrapping of the data key of row {@code id}, which was under {@code oldKekId}. */
    public record Rewrapped(long id, String oldKekId, Envelope.WrappedKey key) {
    }

    private final Pool pool;

    public DataKeyRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /**
     * Up to {@code limit} data keys not under {@code activeKekId}, after row {@code afterId}, locked for
     * this transaction (rows a concurrent rewrap holds are skipped, not waited for).
     */
    public Uni<List<Wrapped>> lockBatchNotUnder(SqlConnection c, String activeKekId, long afterId, int limit) {
        return c.preparedQuery("SELECT id, path, version, kek_id, dek_nonce, wrapped_dek FROM secret_version "
                + "WHERE kek_id IS NOT NULL AND kek_id <> $1 AND id > $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(activeKekId, afterId, limit)).map(rs -> {
                    List<Wrapped> out = new ArrayList<>(rs.size());
                    for (Row r : rs) {
                        out.add(new Wrapped(r.getLong("id"), r.getString("path"), r.getInteger("version"),
                                new Envelope.WrappedKey(r.getString("kek_id"), SecretQueries.bytes(r, "dek_nonce"),
                                        SecretQueries.bytes(r, "wrapped_dek"))));
                    }
                    return out;
                });
    }

    /** Stores the new wrappings in one statement; a row whose KEK changed meanwhile is left alone. */
    public Uni<Integer> update(SqlConnection c, List<Rewrapped> batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        int n = batch.size();
        Long[] ids = new Long[n];
        String[] oldKek = new String[n];
        String[] newKek = new String[n];
        Buffer[] nonces = new Buffer[n];
        Buffer[] wrapped = new Buffer[n];
        for (int i = 0; i < n; i++) {
            Rewrapped r = batch.get(i);
            ids[i] = r.id();
            oldKek[i] = r.oldKekId();
            newKek[i] = r.key().kekId();
            nonces[i] = Buffer.buffer(r.key().dekNonce());
            wrapped[i] = Buffer.buffer(r.key().wrappedDek());
        }
        return c.preparedQuery("UPDATE secret_version v SET kek_id = t.new_kek, dek_nonce = t.nonce, wrapped_dek = t.wrapped "
                + "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[], $5::bytea[]) AS t(id, old_kek, new_kek, nonce, wrapped) "
                + "WHERE v.id = t.id AND v.kek_id = t.old_kek")
                .execute(Tuple.of(ids, oldKek, newKek, nonces, wrapped)).map(rs -> rs.rowCount());
    }

    /** Data keys not under {@code activeKekId}. */
    public Uni<Long> countNotUnder(String activeKekId) {
        return pool.preparedQuery("SELECT count(*) FROM secret_version WHERE kek_id IS NOT NULL AND kek_id <> $1")
                .execute(Tuple.of(activeKekId)).map(rs -> rs.iterator().next().getLong(0));
    }

    /** The KEK ids that wrap at least one data key. */
    public Uni<List<String>> kekIdsInUse() {
        return pool.preparedQuery("SELECT DISTINCT kek_id FROM secret_version WHERE kek_id IS NOT NULL").execute()
                .map(rs -> {
                    List<String> out = new ArrayList<>();
                    rs.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }
}
