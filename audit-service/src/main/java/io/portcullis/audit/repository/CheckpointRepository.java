package io.portcullis.audit.repository;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.audit.domain.Checkpoint;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

@ApplicationScoped
public class CheckpointRepository {

    private final Pool pool;

    public CheckpointRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<Checkpoint>> latest() {
        return pool.preparedQuery("SELECT seq, hash, signed_at, key_id, algorithm, signature FROM audit_checkpoint "
                + "ORDER BY seq DESC LIMIT 1").execute()
                .map(rs -> rs.size() == 0 ? Optional.empty() : Optional.of(checkpoint(rs.iterator().next())));
    }

    public Uni<Void> insert(Checkpoint c) {
        return pool.preparedQuery("INSERT INTO audit_checkpoint (seq, hash, signed_at, key_id, algorithm, signature) "
                + "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING")
                .execute(Tuple.from(new Object[] { c.seq(), Buffer.buffer(c.hash()), c.signedAt().atOffset(ZoneOffset.UTC),
                        c.keyId(), c.algorithm(), Buffer.buffer(c.signature()) }))
                .replaceWithVoid();
    }

    public Uni<List<Checkpoint>> list(long afterSeq, int limit) {
        return pool.preparedQuery("SELECT seq, hash, signed_at, key_id, algorithm, signature FROM audit_checkpoint "
                + "WHERE seq > $1 ORDER BY seq LIMIT $2").execute(Tuple.of(afterSeq, limit))
                .map(rs -> {
                    List<Checkpoint> out = new ArrayList<>();
                    rs.forEach(r -> out.add(checkpoint(r)));
                    return out;
                });
    }

    private static Checkpoint checkpoint(Row r) {
        return new Checkpoint(r.getLong("seq"), r.getBuffer("hash").getBytes(),
                r.getOffsetDateTime("signed_at").toInstant().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
                r.getString("key_id"), r.getString("algorithm"), r.getBuffer("signature").getBytes());
    }

}
