package io.portcullis.exec.repository;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.exec.domain.Job;
import io.portcullis.exec.domain.JobStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The {@code exec_job} table, through the reactive PostgreSQL client. Callable from the event loop
 * (returning {@link Uni}) and from the job workers (which await). Every status change is conditional
 * on the current status, so a job the housekeeping has given up on is never started or overwritten.
 */
@ApplicationScoped
public class JobRepository {

    private static final String COLUMNS = "id, owner, action, params, status, sandbox, exit_code, stdout, stderr, truncated, "
            + "duration_ms, error, request_id, source_ip, timeout_ms, created_at, started_at, finished_at";

    private final Pool pool;

    public JobRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> insert(Job job) {
        return pool.preparedQuery("INSERT INTO exec_job (id, owner, action, params, status, sandbox, request_id, source_ip, "
                + "timeout_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .execute(Tuple.from(new Object[] { job.id(), job.owner(), job.action(),
                        new JsonObject(new LinkedHashMap<String, Object>(job.params())), job.status().label(), job.sandbox(),
                        job.requestId(), job.sourceIp(), job.timeoutMs(), utc(job.createdAt()) }))
                .replaceWithVoid();
    }

    public Uni<Optional<Job>> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM exec_job WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.<Job>empty() : Optional.of(job(rows.iterator().next())));
    }

    /** The newest jobs of {@code owner}, at most {@code limit}. */
    public Uni<List<Job>> byOwner(String owner, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM exec_job WHERE owner = $1 ORDER BY created_at DESC LIMIT $2")
                .execute(Tuple.of(owner, limit)).map(rows -> {
                    List<Job> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(job(r)));
                    return out;
                });
    }

    /** {@code queued -> running}; false when the job is no longer queued (given up on, or unknown). */
    public Uni<Boolean> markRunning(UUID id, Instant startedAt) {
        return pool.preparedQuery("UPDATE exec_job SET status = 'running', started_at = $2 WHERE id = $1 AND status = 'queued'")
                .execute(Tuple.of(id, utc(startedAt))).map(rs -> rs.rowCount() == 1);
    }

    /** {@code running -> status}, with the result; false when the job was no longer running. */
    public Uni<Boolean> finish(UUID id, JobStatus status, Integer exitCode, String stdout, String stderr, boolean truncated,
            Long durationMs, String error, Instant finishedAt) {
        return pool.preparedQuery("UPDATE exec_job SET status = $2, exit_code = $3, stdout = $4, stderr = $5, truncated = $6, "
                + "duration_ms = $7, error = $8, finished_at = $9 WHERE id = $1 AND status = 'running'")
                .execute(Tuple.from(new Object[] { id, status.label(), exitCode, stdout, stderr, truncated, durationMs, error,
                        utc(finishedAt) }))
                .map(rs -> rs.rowCount() == 1);
    }

    /**
     * Fails jobs that no instance will finish: running longer than their timeout plus {@code grace}
     * (their instance died), or queued for longer than {@code maxQueued}.
     *
     * @return the ids given up on
     */
    public Uni<List<UUID>> failLost(Instant now, Duration grace, Duration maxQueued) {
        return pool.preparedQuery("UPDATE exec_job SET status = 'failed', error = 'lost: the instance running it stopped', "
                + "finished_at = $1 WHERE (status = 'running' AND started_at + (timeout_ms + $2) * interval '1 millisecond' < $1) "
                + "OR (status = 'queued' AND created_at < $3) RETURNING id")
                .execute(Tuple.of(utc(now), grace.toMillis(), utc(now.minus(maxQueued))))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getUUID(0)));
                    return ids;
                });
    }

    /** Deletes finished jobs older than {@code cutoff}; returns how many. */
    public Uni<Integer> deleteFinishedBefore(Instant cutoff) {
        return pool.preparedQuery("DELETE FROM exec_job WHERE finished_at IS NOT NULL AND finished_at < $1")
                .execute(Tuple.of(utc(cutoff))).map(rs -> rs.rowCount());
    }

    private static OffsetDateTime utc(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    static Job job(Row r) {
        JsonObject p = r.getJsonObject("params");
        Map<String, String> params = new LinkedHashMap<>();
        if (p != null) {
            p.forEach(e -> params.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return new Job(r.getUUID("id"), r.getString("owner"), r.getString("action"), params,
                JobStatus.ofLabel(r.getString("status")), r.getString("sandbox"), r.getInteger("exit_code"),
                r.getString("stdout"), r.getString("stderr"), r.getBoolean("truncated"), r.getLong("duration_ms"),
                r.getString("error"), r.getString("request_id"), r.getString("source_ip"), r.getLong("timeout_ms"),
                instant(r, "created_at"), instant(r, "started_at"), instant(r, "finished_at"));
    }
}
