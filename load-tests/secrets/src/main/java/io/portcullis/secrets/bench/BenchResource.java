package io.portcullis.secrets.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.portcullis.common.audit.Actors;
import io.portcullis.secrets.domain.Caller;
import io.portcullis.secrets.service.EnvelopeCipher;
import io.portcullis.secrets.service.SecretService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Benchmark baselines, compiled into the service only by {@code ./mvnw -Psecrets-bench} (see
 * load-tests/secrets/README.md); never part of the shipped artifact. Everything here goes through the
 * service's own reactive {@link Pool}, in the same process as the real endpoints, so that a run
 * compares like with like:
 *
 * <ul>
 * <li>{@code GET /bench/select/{path}}: the bare SELECT of the same row a secret read opens, with the
 * same authentication, and nothing else (no policy, no decryption, no audit);</li>
 * <li>{@code POST /bench/commit/{path}}: one INSERT of a row of the same size, committed: the cost of a
 * PostgreSQL commit, which a write cannot beat;</li>
 * <li>{@code POST /bench/inprocess}: the same comparisons without HTTP, in loops inside the process.</li>
 * </ul>
 */
@Path("/bench")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class BenchResource {

    public record Row(String path, int version, int bytes) {
    }

    private static final String SELECT = "SELECT version, created_at, kek_id, dek_nonce, wrapped_dek, nonce, ciphertext "
            + "FROM secret_version WHERE path = $1 AND version = $2";

    private final Pool pool;
    private final SecretService secrets;
    private final EnvelopeCipher cipher;
    private final SecurityIdentity identity;

    public BenchResource(Pool pool, SecretService secrets, EnvelopeCipher cipher, SecurityIdentity identity) {
        this.pool = pool;
        this.secrets = secrets;
        this.cipher = cipher;
        this.identity = identity;
    }

    @GET
    @Path("/select/{path: .+}")
    public Uni<Row> select(@PathParam("path") String path, @QueryParam("version") @DefaultValue("1") int version) {
        return selectRow(path, version);
    }

    private Uni<Row> selectRow(String path, int version) {
        return pool.preparedQuery(SELECT).execute(Tuple.of(path, version)).map(rs -> {
            var r = rs.iterator().next();
            return new Row(path, r.getInteger("version"), r.getBuffer("ciphertext").length());
        });
    }

    @POST
    @Path("/commit/{path: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> commit(@PathParam("path") String path, Map<String, String> body) {
        byte[] payload = body.getOrDefault("value", "").getBytes(StandardCharsets.UTF_8);
        return insert(path, payload).map(id -> Map.of("path", path, "id", id));
    }

    private Uni<Long> insert(String path, byte[] payload) {
        return pool.preparedQuery("INSERT INTO bench_commit (path, payload) VALUES ($1, $2) RETURNING id")
                .execute(Tuple.of(path, Buffer.buffer(payload))).map(rs -> rs.iterator().next().getLong(0));
    }

    /**
     * In-process loops, {@code concurrency} in flight for {@code seconds} each, alternating baseline
     * and subject twice (A B A B) to spread drift: the bare SELECT vs the service's whole read (same
     * row, same pool, policy check, decryption, audit event), without HTTP. Writes are compared over
     * HTTP only: each needs its own transaction context, which one request cannot give many loops.
     * Also the cost of sealing a value of {@code bytes} bytes (new data key, two AES-GCM operations).
     */
    @POST
    @Path("/inprocess")
    public Uni<Map<String, Object>> inProcess(@QueryParam("path") String path, @QueryParam("version") @DefaultValue("1") int version,
            @QueryParam("seconds") @DefaultValue("5") int seconds, @QueryParam("concurrency") @DefaultValue("32") int concurrency,
            @QueryParam("bytes") @DefaultValue("100") int bytes) {
        Caller caller = new Caller(Actors.of(identity), identity.getRoles());
        byte[] value = "x".repeat(bytes).getBytes(StandardCharsets.UTF_8);
        Supplier<Uni<?>> select = () -> selectRow(path, version);
        Supplier<Uni<?>> read = () -> secrets.read(caller, path, version);
        Map<String, Object> out = new LinkedHashMap<>();
        return rate(select, seconds, concurrency).invoke(r -> out.put("select1", r))
                .chain(() -> rate(read, seconds, concurrency)).invoke(r -> out.put("read1", r))
                .chain(() -> rate(select, seconds, concurrency)).invoke(r -> out.put("select2", r))
                .chain(() -> rate(read, seconds, concurrency)).invoke(r -> out.put("read2", r))
                .chain(() -> pool.query("SELECT id FROM secret_kek WHERE state = 'active'").execute())
                .map(rs -> rs.iterator().next().getString(0))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(kek -> {
                    out.put("sealMicros", sealMicros(kek, value));
                    return out;
                });
    }

    /** Operations per second of {@code op}, {@code concurrency} loops in flight for {@code seconds}. */
    private static Uni<Double> rate(Supplier<Uni<?>> op, int seconds, int concurrency) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        AtomicLong done = new AtomicLong();
        List<Uni<Void>> loops = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            loops.add(Uni.createFrom().deferred(op).invoke(x -> done.incrementAndGet()).replaceWith(Boolean.TRUE)
                    .repeat().until(x -> System.nanoTime() > deadline).collect().last().replaceWithVoid());
        }
        return Uni.join().all(loops).andFailFast()
                .map(x -> done.get() / ((System.nanoTime() - start) / 1e9));
    }

    /** Microseconds per seal, on a worker thread (it is a loop of 20,000). */
    private double sealMicros(String kek, byte[] value) {
        int rounds = 20_000;
        for (int i = 0; i < 2_000; i++) {
            cipher.seal(kek, "bench/seal", 1, value);
        }
        long t = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            cipher.seal(kek, "bench/seal", 1, value);
        }
        return (System.nanoTime() - t) / 1e3 / rounds;
    }

}
