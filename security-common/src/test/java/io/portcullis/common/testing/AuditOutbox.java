package io.portcullis.common.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Reads the audit events the service under test emitted: in tests they stay in a per-run Redis
 * stream (the producer's durable outbox, see {@code LocalInfraTestResource}), where this helper
 * finds them over a plain Redis connection, in {@code @QuarkusTest} and {@code @QuarkusIntegrationTest}
 * alike.
 */
public final class AuditOutbox {

    static final String KEY_PROPERTY = "portcullis.test.audit.outbox-key";
    static final String REDIS_PROPERTY = "portcullis.test.redis.uri";
    static final String REDIS_PASSWORD_PROPERTY = "portcullis.test.redis.password";

    private static Vertx vertx;
    private static Redis redis;

    private AuditOutbox() {
    }

    private static synchronized Redis redis() {
        if (redis == null) {
            vertx = Vertx.vertx();
            RedisOptions options = new RedisOptions().setConnectionString(System.getProperty(REDIS_PROPERTY));
            String password = System.getProperty(REDIS_PASSWORD_PROPERTY);
            if (password != null) {
                options.setPassword(password);
            }
            redis = Redis.createClient(vertx, options);
        }
        return redis;
    }

    /** One command against the real Redis the service under test uses (also under {@code @QuarkusIntegrationTest}). */
    public static Response send(Request request) {
        try {
            return redis().send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach the test Redis", e);
        }
    }

    /** Every event in the outbox, oldest first. */
    public static List<JsonObject> events() {
        Response entries = send(Request.cmd(Command.XRANGE).arg(System.getProperty(KEY_PROPERTY)).arg("-").arg("+"));
        List<JsonObject> out = new ArrayList<>();
        if (entries == null) {
            return out;
        }
        for (Response entry : entries) {
            Response fields = entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("e".equals(fields.get(i).toString())) {
                    out.add(new JsonObject(fields.get(i + 1).toString()));
                }
            }
        }
        return out;
    }

    /** Waits (up to 5 s) for an event matching {@code match}, and returns it. */
    public static JsonObject await(Predicate<JsonObject> match) {
        return awaitAfter(0, match);
    }

    /**
     * How many events the outbox holds now: pass it to {@link #awaitAfter} to wait only for events
     * recorded after this point, when an earlier test may have recorded one that matches as well.
     */
    public static int mark() {
        return events().size();
    }

    /** Waits (up to 5 s) for an event after {@code mark} (see {@link #mark()}) matching {@code match}. */
    public static JsonObject awaitAfter(int mark, Predicate<JsonObject> match) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            List<JsonObject> all = events();
            for (JsonObject e : all.subList(Math.min(mark, all.size()), all.size())) {
                if (match.test(e)) {
                    return e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching audit event among " + events().size() + " in the outbox");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** Matches events of {@code type} whose {@code detail} equals {@code value}. */
    public static Predicate<JsonObject> typeAndDetail(String type, String detail, String value) {
        return e -> type.equals(e.getString("type")) && e.getJsonObject("details") != null
                && value.equals(e.getJsonObject("details").getString(detail));
    }

    /** Removes the per-run outbox (called when the test resource stops). */
    static synchronized void delete() {
        String key = System.getProperty(KEY_PROPERTY);
        if (key != null && System.getProperty(REDIS_PROPERTY) != null) {
            try {
                send(Request.cmd(Command.DEL).arg(key));
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        if (vertx != null) {
            vertx.close();
            vertx = null;
            redis = null;
        }
    }
}
