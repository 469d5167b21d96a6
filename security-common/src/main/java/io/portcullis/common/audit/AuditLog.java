package io.portcullis.common.audit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.common.http.ClientIp;
import io.portcullis.common.http.RequestIds;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * What services call to record a security decision. It fills in what the current request knows
 * (request id, client address, the authenticated actor, this service's name), redacts, and hands
 * the event to the {@link AuditSink}.
 *
 * <p>{@link #record} never fails the caller's request: if the sink (Redis) cannot take the event,
 * it waits in a bounded in-memory queue that is retried every second. {@link #recordAndWait} is
 * for callers that must not go on before the event is durable.
 *
 * <p>No event is silently lost. While Redis still refuses, the waiting events go straight to the
 * audit-service ({@link AuditSink#deliverElsewhere}). An event that can be held nowhere (the memory
 * queue is full, the audit-service refused it as invalid, or the service stops with it undelivered)
 * is written whole, already redacted, to the log category {@value #UNDELIVERED_CATEGORY} at ERROR,
 * where the log collector keeps it, and counted in {@code portcullis.audit.dropped}.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);
    /** Where events that could be delivered nowhere are written (see the class comment). */
    public static final String UNDELIVERED_CATEGORY = "io.portcullis.audit.undelivered";
    private static final Logger UNDELIVERED = Logger.getLogger(UNDELIVERED_CATEGORY);
    /** Events per direct delivery while Redis is down (the audit-service takes at most 1,000). */
    static final int DIRECT_BATCH = 500;
    /** How long a stopping service tries to deliver what still waits in memory. */
    static final Duration STOP_DELIVERY = Duration.ofSeconds(10);

    private final AuditSink sink;
    private final String service;
    private final int memoryLimit;
    private final Deque<AuditEvent> pending = new ArrayDeque<>();
    private final LogThrottle warnings = new LogThrottle();
    private final Counter dropped;
    private final MeterRegistry registry;
    private final ObjectMapper json;
    /** One counter per type and outcome, looked up once (a registry lookup per event showed in profiles). */
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();

    public AuditLog(AuditSink sink, AuditConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.application.name") String service, ObjectMapper json) {
        this.sink = sink;
        this.json = json;
        this.service = service;
        this.memoryLimit = config.memoryBufferSize();
        this.registry = registry;
        this.dropped = Counter.builder("portcullis.audit.dropped")
                .description("Audit events no sink could take, written to the log instead (" + UNDELIVERED_CATEGORY + ")")
                .register(registry);
        registry.gauge("portcullis.audit.memory.pending", pending, p -> {
            synchronized (p) {
                return p.size();
            }
        });
    }

    /** Starts an event of {@code type} with {@code outcome}. */
    public static AuditEvent.Builder event(String type, String outcome) {
        return AuditEvent.builder(type, outcome);
    }

    /** Fills in the context, redacts, and sends; failures are absorbed (see class comment). */
    public void record(AuditEvent.Builder builder) {
        send(complete(builder));
    }

    private void send(AuditEvent event) {
        count(event);
        sink.accept(event).subscribe().with(ok -> {
        }, failure -> buffer(event, failure));
    }

    /**
     * Like {@link #record}, but at most one event per {@code key} per second on this instance: for
     * decisions a client can repeat at will (a flood of bad tokens must not flood the log). The next
     * event recorded for the key carries {@code suppressed} = how many were skipped; when no next one
     * comes, the last skipped one is recorded a second later carrying the count of the others
     * ({@link #flushSuppressed}), so no refusal goes uncounted.
     */
    public void recordThrottled(String key, AuditEvent.Builder builder) {
        fillContext(builder); // it may be recorded later, outside this request
        recordThrottled(key, () -> builder);
    }

    /**
     * Like {@link #recordThrottled(String, AuditEvent.Builder)}, building the event only when it is
     * recorded: for hot paths, where most calls are suppressed. The supplier must not depend on the
     * current request's context (it may run a second later on a scheduler thread).
     */
    public void recordThrottled(String key, java.util.function.Supplier<AuditEvent.Builder> event) {
        long now = System.nanoTime();
        Throttle t = throttles.computeIfAbsent(key, k -> new Throttle());
        long suppressed;
        synchronized (t) {
            if (t.last != 0 && now - t.last < THROTTLE_NANOS) {
                t.suppressed++;
                t.latest = event;
                return;
            }
            t.last = now;
            suppressed = t.suppressed;
            t.suppressed = 0;
            t.latest = null;
        }
        if (throttles.size() > 10_000) {
            flushSuppressed();
            throttles.clear(); // bounded memory; at worst a few extra events
        }
        AuditEvent.Builder builder = event.get();
        if (suppressed > 0) {
            builder.detail("suppressed", suppressed);
        }
        record(builder);
    }

    /**
     * Every second: a key whose window has passed with events skipped and none recorded since gets
     * its last skipped event recorded, carrying {@code suppressed} = how many others were skipped.
     * Keys idle for a minute are forgotten.
     */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void flushSuppressed() {
        long now = System.nanoTime();
        throttles.forEach((key, t) -> {
            java.util.function.Supplier<AuditEvent.Builder> event;
            long others;
            synchronized (t) {
                if (t.suppressed == 0) {
                    if (now - t.last > 60 * THROTTLE_NANOS) {
                        throttles.remove(key, t);
                    }
                    return;
                }
                if (now - t.last < THROTTLE_NANOS) {
                    return;
                }
                event = t.latest;
                others = t.suppressed - 1;
                t.suppressed = 0;
                t.latest = null;
                t.last = now;
            }
            AuditEvent.Builder builder = event.get();
            if (others > 0) {
                builder.detail("suppressed", others);
            }
            // recorded later than it happened, maybe inside another request: nothing of that request's
            // context (its id, address, actor) may be filled in
            if (builder.service() == null) {
                builder.service(service);
            }
            send(Redactor.event(builder.build()));
        });
    }

    private static final long THROTTLE_NANOS = 1_000_000_000L;

    private static final class Throttle {
        long last;
        long suppressed;
        /** The newest skipped event, recorded by {@link #flushSuppressed} when nothing else reports the count. */
        java.util.function.Supplier<AuditEvent.Builder> latest;
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Throttle> throttles = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Like {@link #record} but completes only when the event is durable; fails when it cannot be. The
     * caller goes on on its own Vert.x context (the sink completes on Redis' connection).
     */
    public Uni<Void> recordAndWait(AuditEvent.Builder builder) {
        AuditEvent event = complete(builder);
        count(event);
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        Uni<Void> accepted = sink.accept(event);
        return context == null ? accepted : accepted.emitOn(task -> context.runOnContext(v -> task.run()));
    }

    private void count(AuditEvent event) {
        counters.computeIfAbsent(event.type() + '\u0000' + event.outcome(),
                k -> registry.counter("portcullis.audit.events", "type", event.type(), "outcome", event.outcome())).increment();
    }

    AuditEvent complete(AuditEvent.Builder b) {
        fillContext(b);
        return Redactor.event(b.build());
    }

    /** What the current request knows and the event does not yet say: service, request id, client address, actor. */
    private void fillContext(AuditEvent.Builder b) {
        if (b.service() == null) {
            b.service(service);
        }
        RoutingContext rc = currentRequest();
        if (rc != null) {
            if (b.requestId() == null) {
                b.requestId(RequestIds.of(rc));
            }
            if (b.sourceIp() == null) {
                b.sourceIp(ClientIp.of(rc));
            }
        }
        if (b.actor() == null) {
            b.actor(currentActor());
        }
    }

    private static RoutingContext currentRequest() {
        ManagedContext requestContext = Arc.container().requestContext();
        if (!requestContext.isActive()) {
            return null;
        }
        CurrentVertxRequest current = Arc.container().instance(CurrentVertxRequest.class).get();
        return current == null ? null : current.getCurrent();
    }

    /**
     * Who the current request acts for ({@code user:<id>}, {@code svc:<name>}, see {@link Actors}), or null
     * outside a request.
     */
    public static String currentActor() {
        ManagedContext requestContext = Arc.container().requestContext();
        if (!requestContext.isActive()) {
            return null;
        }
        var identity = Arc.container().instance(SecurityIdentity.class);
        if (!identity.isAvailable()) {
            return null;
        }
        try {
            return Actors.of(identity.get());
        } catch (RuntimeException e) {
            return null; // identity not resolved in this context
        }
    }

    private void buffer(AuditEvent event, Throwable failure) {
        AuditEvent lost;
        synchronized (pending) {
            lost = pending.size() >= memoryLimit ? pending.removeFirst() : null;
            pending.addLast(event);
        }
        if (lost != null) {
            undelivered(lost, "the memory buffer is full");
        }
        if (warnings.tryAcquire()) {
            LOG.warnf("audit sink unavailable (%s); events kept in memory (%d waiting)", failure.getClass().getSimpleName(),
                    pending.size());
        }
    }

    /** Every second: what waits in memory goes to the sink again, or else another way. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> retryPending() {
        AuditEvent next;
        synchronized (pending) {
            next = pending.peekFirst();
        }
        if (next == null) {
            return Uni.createFrom().voidItem();
        }
        return sink.accept(next).invoke(() -> {
            synchronized (pending) {
                pending.remove(next);
            }
        }).chain(this::retryPending).onFailure().recoverWithUni(this::deliverPendingElsewhere);
    }

    /** The sink still refuses: what waits goes another way, a batch at a time, oldest first. */
    private Uni<Void> deliverPendingElsewhere() {
        List<AuditEvent> batch;
        synchronized (pending) {
            batch = pending.stream().limit(DIRECT_BATCH).toList();
        }
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return sink.deliverElsewhere(batch).invoke(() -> forget(batch))
                .onFailure(AuditSink.RefusedAuditEvents.class).recoverWithUni(() -> oneByOne(batch))
                .chain(() -> batch.size() == DIRECT_BATCH ? deliverPendingElsewhere() : Uni.createFrom().voidItem())
                .onFailure().recoverWithUni(() -> Uni.createFrom().voidItem()); // kept for the next attempt
    }

    /** A batch was refused as invalid: each event alone, so that only the invalid ones go to the log. */
    private Uni<Void> oneByOne(List<AuditEvent> batch) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (AuditEvent e : batch) {
            chain = chain.chain(() -> sink.deliverElsewhere(List.of(e)).invoke(() -> forget(List.of(e)))
                    .onFailure(AuditSink.RefusedAuditEvents.class).recoverWithItem(x -> {
                        forget(List.of(e));
                        undelivered(e, "the audit-service refused it as invalid");
                        return null;
                    }));
        }
        return chain;
    }

    private void forget(List<AuditEvent> delivered) {
        synchronized (pending) {
            delivered.forEach(pending::remove);
        }
    }

    /**
     * The service stops: what still waits in memory gets one last try (the sink, then the other way)
     * and what is left is written to the log, so nothing goes silently with the process.
     */
    public void deliverBeforeStop() {
        if (pendingCount() == 0) {
            return;
        }
        try {
            retryPending().await().atMost(STOP_DELIVERY);
        } catch (RuntimeException e) {
            LOG.warnf("audit events still undelivered at shutdown: %s", e.getMessage());
        }
        List<AuditEvent> left;
        synchronized (pending) {
            left = new ArrayList<>(pending);
            pending.clear();
        }
        left.forEach(e -> undelivered(e, "the service stopped before any sink took it"));
    }

    void onStop(@Observes ShutdownEvent stop) {
        deliverBeforeStop();
    }

    /** Events waiting in memory for a sink (for tests and diagnostics). */
    public int pendingCount() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private void undelivered(AuditEvent event, String why) {
        dropped.increment();
        String body;
        try {
            body = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            body = "{\"id\":\"" + event.id() + "\",\"type\":\"" + event.type() + "\"}";
        }
        UNDELIVERED.errorf("audit event not delivered (%s), recorded here instead: %s", why, body);
    }
}
