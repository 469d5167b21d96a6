package io.portcullis.audit.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.audit.domain.ChainedEvent;
import io.portcullis.common.audit.AuditEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The log's tables, through the reactive PostgreSQL client (no ORM on the append path). */
@ApplicationScoped
public class EventRepository {

    /**
     * The head of the chain: the last seq and its hash; and, read in the same snapshot, the highest seq
     * stored, which only tampering can put beyond the head (an append moves both in one transaction).
     */
    public record Head(long seq, byte[] hash, long lastStored) {
    }

    /** Filters of {@code GET /audit/events}; null means "any". */
    public record Query(String type, String actor, Instant from, Instant to, long afterSeq, int limit) {
    }

    private static final String COLUMNS = "seq, id, type, outcome, actor, source_ip, service, request_id, occurred_at, "
            + "received_at, details, prev_hash, hash";

    private final Pool pool;

    public EventRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    public Uni<Head> lockHead(SqlConnection c) {
        return c.preparedQuery("SELECT seq, hash, seq AS last_stored FROM audit_chain_head WHERE id = 1 FOR UPDATE").execute()
                .map(rs -> head(rs.iterator().next()));
    }

    public Uni<Head> head() {
        return pool.preparedQuery("SELECT seq, hash, (SELECT coalesce(max(seq), 0) FROM audit_event) AS last_stored "
                + "FROM audit_chain_head WHERE id = 1").execute()
                .map(rs -> head(rs.iterator().next()));
    }

    private static Head head(Row r) {
        return new Head(r.getLong("seq"), r.getBuffer("hash").getBytes(), r.getLong("last_stored"));
    }

    public Uni<Set<UUID>> existingIds(SqlConnection c, UUID[] ids) {
        return c.preparedQuery("SELECT id FROM audit_event WHERE id = ANY($1)").execute(Tuple.of(ids))
                .map(rs -> {
                    Set<UUID> found = new HashSet<>();
                    rs.forEach(r -> found.add(r.getUUID(0)));
                    return found;
                });
    }

    /** Appends {@code events} in one statement (one round trip, whatever the batch size). */
    public Uni<Void> insert(SqlConnection c, List<ChainedEvent> events) {
        int n = events.size();
        Long[] seq = new Long[n];
        UUID[] id = new UUID[n];
        String[] type = new String[n];
        String[] outcome = new String[n];
        String[] actor = new String[n];
        String[] sourceIp = new String[n];
        String[] service = new String[n];
        String[] requestId = new String[n];
        OffsetDateTime[] occurredAt = new OffsetDateTime[n];
        OffsetDateTime[] receivedAt = new OffsetDateTime[n];
        String[] details = new String[n];
        Buffer[] prevHash = new Buffer[n];
        Buffer[] hash = new Buffer[n];
        for (int i = 0; i < n; i++) {
            ChainedEvent ce = events.get(i);
            AuditEvent e = ce.event();
            seq[i] = ce.seq();
            id[i] = e.id();
            type[i] = e.type();
            outcome[i] = e.outcome();
            actor[i] = e.actor();
            sourceIp[i] = e.sourceIp();
            service[i] = e.service();
            requestId[i] = e.requestId();
            occurredAt[i] = e.occurredAt().atOffset(ZoneOffset.UTC);
            receivedAt[i] = ce.receivedAt().atOffset(ZoneOffset.UTC);
            details[i] = new JsonObject(new LinkedHashMap<String, Object>(e.details())).encode();
            prevHash[i] = Buffer.buffer(ce.prevHash());
            hash[i] = Buffer.buffer(ce.hash());
        }
        return c.preparedQuery("INSERT INTO audit_event (" + COLUMNS + ") "
                + "SELECT seq, id, type, outcome, actor, source_ip, service, request_id, occurred_at, received_at, "
                + "details::jsonb, prev_hash, hash FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], "
                + "$6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::bytea[], "
                + "$13::bytea[]) AS t(seq, id, type, outcome, actor, source_ip, service, request_id, occurred_at, "
                + "received_at, details, prev_hash, hash)")
                .execute(Tuple.from(new Object[] { seq, id, type, outcome, actor, sourceIp, service, requestId, occurredAt,
                        receivedAt, details, prevHash, hash }))
                .replaceWithVoid();
    }

    public Uni<Void> moveHead(SqlConnection c, long seq, byte[] hash) {
        return c.preparedQuery("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1")
                .execute(Tuple.of(seq, Buffer.buffer(hash))).replaceWithVoid();
    }

    /** Events with {@code afterSeq < seq <= toSeq}, in seq order, at most {@code limit}. */
    public Uni<List<ChainedEvent>> range(long afterSeq, long toSeq, int limit) {
        return range(pool, afterSeq, toSeq, limit);
    }

    public Uni<List<ChainedEvent>> range(SqlClient client, long afterSeq, long toSeq, int limit) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3")
                .execute(Tuple.of(afterSeq, toSeq, limit)).map(EventRepository::events);
    }

    public Uni<List<ChainedEvent>> query(Query q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_event WHERE seq > $1");
        List<Object> params = new ArrayList<>();
        params.add(q.afterSeq());
        if (q.type() != null) {
            params.add(q.type());
            sql.append(" AND type = $").append(params.size());
        }
        if (q.actor() != null) {
            params.add(q.actor());
            sql.append(" AND actor = $").append(params.size());
        }
        if (q.from() != null) {
            params.add(q.from().atOffset(ZoneOffset.UTC));
            sql.append(" AND occurred_at >= $").append(params.size());
        }
        if (q.to() != null) {
            params.add(q.to().atOffset(ZoneOffset.UTC));
            sql.append(" AND occurred_at < $").append(params.size());
        }
        params.add(q.limit());
        sql.append(" ORDER BY seq LIMIT $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(EventRepository::events);
    }

    private static List<ChainedEvent> events(RowSet<Row> rows) {
        List<ChainedEvent> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(event(r));
        }
        return out;
    }

    static ChainedEvent event(Row r) {
        JsonObject detailsJson = r.getJsonObject("details");
        Map<String, String> details = new LinkedHashMap<>();
        if (detailsJson != null) {
            detailsJson.forEach(e -> details.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
        }
        AuditEvent e = new AuditEvent(r.getUUID("id"), r.getString("type"), r.getString("outcome"), r.getString("actor"),
                r.getString("source_ip"), r.getString("service"), r.getString("request_id"),
                r.getOffsetDateTime("occurred_at").toInstant(), details);
        return new ChainedEvent(r.getLong("seq"), e, r.getOffsetDateTime("received_at").toInstant(),
                r.getBuffer("prev_hash").getBytes(), r.getBuffer("hash").getBytes());
    }
}
