package io.portcullis.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Sustained audit ingest against a plain batched INSERT of the same rows, in the same run.
 *
 * <pre>AuditIngestBench auditUrl serviceToken jdbcUrl pgUser pgPassword events batch producers</pre>
 *
 * (1) {@code producers} threads POST the events to the audit-service in batches of {@code batch}
 * (the hash chain, dedup and append-only role included); (2) the same number of connections insert
 * the same rows, same batches, into a plain copy of the table ({@code LIKE audit_event}, no
 * triggers, no chain) with one multi-row INSERT per batch. Prints events/s of both and the ratio.
 */
public final class AuditIngestBench {

    public static void main(String[] args) throws Exception {
        String auditUrl = args[0];
        String token = args[1];
        String jdbc = args[2];
        String user = args[3];
        String password = args[4];
        int events = Integer.parseInt(args[5]);
        int batch = Integer.parseInt(args[6]);
        int producers = Integer.parseInt(args[7]);
        List<JsonArray> batches = new ArrayList<>();
        for (int i = 0; i < events / batch; i++) {
            JsonArray b = new JsonArray();
            for (int j = 0; j < batch; j++) {
                b.add(new JsonObject().put("id", UUID.randomUUID().toString()).put("type", "api_key").put("outcome", "success")
                        .put("actor", "key:bench" + (j % 50)).put("sourceIp", "10.0.0." + (j % 250)).put("service", "gateway")
                        .put("requestId", "req-" + UUID.randomUUID().toString().substring(0, 12))
                        .put("occurredAt", Instant.now().toString())
                        .put("details", new JsonObject().put("route", "secrets").put("method", "GET").put("n", i * batch + j)));
            }
            batches.add(b);
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // warm-up: 5 batches
        for (int i = 0; i < Math.min(5, batches.size()); i++) {
            JsonArray warm = new JsonArray();
            for (int j = 0; j < batch; j++) {
                warm.add(batches.get(i).getJsonObject(j).copy().put("id", UUID.randomUUID().toString()));
            }
            post(http, auditUrl, token, warm);
        }
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (JsonArray b : batches) {
            futures.add(pool.submit(() -> post(http, auditUrl, token, b)));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double chained = events / ((System.nanoTime() - t0) / 1e9);

        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("reWriteBatchedInserts", "true");
        try (Connection c = DriverManager.getConnection(jdbc, p); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS bench_plain_event");
            st.execute("CREATE TABLE bench_plain_event (LIKE audit_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
            st.execute("ALTER TABLE bench_plain_event ADD PRIMARY KEY (seq), ADD UNIQUE (id)");
        }
        SecureRandom random = new SecureRandom();
        long[] seq = { 0 };
        long t1 = System.nanoTime();
        futures.clear();
        for (JsonArray b : batches) {
            futures.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(jdbc, p)) {
                    long first;
                    synchronized (seq) {
                        first = seq[0];
                        seq[0] += b.size();
                    }
                    StringBuilder sql = new StringBuilder("INSERT INTO bench_plain_event (seq, id, type, outcome, actor, source_ip, "
                            + "service, request_id, occurred_at, received_at, details, prev_hash, hash) VALUES ");
                    for (int i = 0; i < b.size(); i++) {
                        sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?,?,?::jsonb,?,?)");
                    }
                    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                        int k = 1;
                        for (int i = 0; i < b.size(); i++) {
                            JsonObject e = b.getJsonObject(i);
                            byte[] h = new byte[32];
                            random.nextBytes(h);
                            ps.setLong(k++, first + i + 1);
                            ps.setObject(k++, UUID.fromString(e.getString("id")));
                            ps.setString(k++, e.getString("type"));
                            ps.setString(k++, e.getString("outcome"));
                            ps.setString(k++, e.getString("actor"));
                            ps.setString(k++, e.getString("sourceIp"));
                            ps.setString(k++, e.getString("service"));
                            ps.setString(k++, e.getString("requestId"));
                            ps.setTimestamp(k++, Timestamp.from(Instant.parse(e.getString("occurredAt"))));
                            ps.setTimestamp(k++, Timestamp.from(Instant.now()));
                            ps.setString(k++, e.getJsonObject("details").encode());
                            ps.setBytes(k++, h);
                            ps.setBytes(k++, h);
                        }
                        ps.executeUpdate();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double plain = events / ((System.nanoTime() - t1) / 1e9);
        try (Connection c = DriverManager.getConnection(jdbc, p); Statement st = c.createStatement()) {
            st.execute("DROP TABLE bench_plain_event");
        }
        pool.shutdown();
        System.out.printf("events=%d batch=%d producers=%d%nchained ingest via the service: %.0f events/s%n"
                + "plain batched INSERT (same rows): %.0f events/s%nratio: %.0f%%%n", events, batch, producers, chained, plain,
                chained / plain * 100);
    }

    static Void post(HttpClient http, String url, String token, JsonArray batch) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/audit/events"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(batch.encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("audit-service answered " + r.statusCode() + ": " + r.body());
        }
        return null;
    }
}
