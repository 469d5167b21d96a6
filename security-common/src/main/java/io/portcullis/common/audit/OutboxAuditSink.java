package io.portcullis.common.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * The durable buffer of a producer: each event is appended (XADD) to a Redis stream, from which the
 * {@link AuditForwarder} delivers it, in order, whenever the audit-service can take it. An event is
 * accepted only once Redis has it, so a crash of this service loses nothing that was accepted.
 *
 * <p>Appends are group-committed: while one round trip to Redis is in flight, the events that arrive
 * queue, and leave together in the next one, pipelined (one XADD each, in the order they came). A
 * lone event leaves at once; under load, a round trip carries the events of many requests, which
 * costs Redis, the kernel and this service a fraction of one round trip each.
 */
@DefaultBean
@ApplicationScoped
public class OutboxAuditSink implements AuditSink {

    static final String FIELD = "e";
    /** Most XADDs in one pipelined round trip. */
    static final int MAX_PIPELINE = 256;

    private record Waiting(Request xadd, UniEmitter<? super Void> done) {
    }

    private final io.vertx.redis.client.Redis redis;
    private final ObjectMapper json;
    private final String key;
    private final AuditForwarder forwarder;
    private final Object lock = new Object();
    private List<Waiting> queue = new ArrayList<>();
    private boolean sending;
    private final int maxWaiting;
    private final AtomicLong roundTrips = new AtomicLong();

    public OutboxAuditSink(Redis redis, ObjectMapper json, AuditConfig config,
            @ConfigProperty(name = "quarkus.application.name") String service, AuditForwarder forwarder) {
        this.redis = redis.getDelegate();
        this.json = json;
        this.key = outboxKey(config, service);
        this.forwarder = forwarder;
        this.maxWaiting = Math.max(10_000, config.memoryBufferSize());
    }

    static String outboxKey(AuditConfig config, String service) {
        return config.outboxKey().orElse("audit:outbox:{" + service + "}");
    }

    @Override
    public Uni<Void> accept(AuditEvent event) {
        String body;
        try {
            body = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        Request xadd = Request.cmd(Command.XADD).arg(key).arg("*").arg(FIELD).arg(body);
        return Uni.createFrom().emitter(done -> {
            boolean start;
            synchronized (lock) {
                if (queue.size() >= maxWaiting) {
                    // Redis answers nothing (a hung connection): the caller's bounded buffer takes over
                    done.fail(new IllegalStateException("audit outbox: " + queue.size() + " events wait for Redis"));
                    return;
                }
                queue.add(new Waiting(xadd, done));
                start = !sending;
                sending = true;
            }
            if (start) {
                send();
            }
        });
    }

    /**
     * Straight to the audit-service, around the outbox whose Redis could not take them. They may then
     * arrive before older events still waiting in the outbox.
     */
    @Override
    public Uni<Void> deliverElsewhere(List<AuditEvent> events) {
        List<String> bodies = new ArrayList<>(events.size());
        try {
            for (AuditEvent e : events) {
                bodies.add(json.writeValueAsString(e));
            }
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return forwarder.deliverDirect(bodies);
    }

    /** Round trips to Redis so far (for tests and diagnostics). */
    public long roundTrips() {
        return roundTrips.get();
    }

    /** Sends what waits, then again until nothing does. */
    private void send() {
        List<Waiting> batch;
        synchronized (lock) {
            if (queue.isEmpty()) {
                sending = false;
                return;
            }
            if (queue.size() <= MAX_PIPELINE) {
                batch = queue;
                queue = new ArrayList<>();
            } else {
                batch = new ArrayList<>(queue.subList(0, MAX_PIPELINE));
                queue = new ArrayList<>(queue.subList(MAX_PIPELINE, queue.size()));
            }
        }
        roundTrips.incrementAndGet();
        io.vertx.core.Future<?> sent;
        if (batch.size() == 1) {
            sent = redis.send(batch.get(0).xadd());
        } else {
            List<Request> requests = new ArrayList<>(batch.size());
            for (Waiting w : batch) {
                requests.add(w.xadd());
            }
            sent = redis.batch(requests);
        }
        sent.onComplete(result -> {
            if (result.succeeded()) {
                batch.forEach(w -> w.done().complete(null));
                forwarder.nudge();
            } else {
                batch.forEach(w -> w.done().fail(result.cause()));
            }
            send();
        });
    }
}
