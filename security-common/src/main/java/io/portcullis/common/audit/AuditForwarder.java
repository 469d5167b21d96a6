package io.portcullis.common.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.common.client.ServiceTokens;
import io.portcullis.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Delivers the outbox to the audit-service, in order, in batches, for as long as it takes.
 *
 * <ul>
 * <li>One instance of a service delivers at a time: it holds a lease in Redis
 * ({@code lua/leader-lease.lua}, {@code portcullis.audit.lease}), renewed before every POST so that a
 * long drain keeps it, and events leave in the order they were appended.</li>
 * <li>Events are read through a consumer group; an event leaves the stream (XACK + XDEL) only after
 * the audit-service answered 2xx. A crash between the two re-delivers it, and the audit-service
 * absorbs the duplicate by the event's {@code id}.</li>
 * <li>While the audit-service (or auth-service, for the token) is down, attempts back off
 * exponentially up to {@code portcullis.audit.max-backoff}; nothing is dropped.</li>
 * <li>A batch the audit-service refuses as invalid (400) is halved and each half sent again, in order,
 * until the refused events stand alone; only those, which would block the stream for ever, are moved
 * to {@code audit:dead:{<service>}} with an error log and a metric.</li>
 * </ul>
 */
@ApplicationScoped
public class AuditForwarder {

    private static final Logger LOG = Logger.getLogger(AuditForwarder.class);
    static final String GROUP = "forwarder";
    private static final String CONSUMER = "forwarder";

    private final ReactiveStreamCommands<String, String, String> streams;
    private final RedisScript lease;
    private final AuditApi api;
    private final ServiceTokens tokens;
    private final AuditConfig config;
    private final String key;
    private final String leaseKey;
    private final String deadKey;
    private final String holder = UUID.randomUUID().toString();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean lingering = new AtomicBoolean();
    private final Vertx vertx;
    private final AtomicBoolean groupReady = new AtomicBoolean();
    private final AtomicLong depth = new AtomicLong();
    private final Counter delivered;
    private final Counter deadLettered;
    private volatile Instant nextAttempt = Instant.EPOCH;
    private volatile Duration backoff = Duration.ZERO;

    public AuditForwarder(Vertx vertx, ReactiveRedisDataSource redis, Redis lowLevel, @RestClient AuditApi api,
            ServiceTokens tokens, AuditConfig config, @ConfigProperty(name = "quarkus.application.name") String service,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.streams = redis.stream(String.class, String.class, String.class);
        this.lease = new RedisScript(lowLevel, "lua/leader-lease.lua");
        this.api = api;
        this.tokens = tokens;
        this.config = config;
        this.key = OutboxAuditSink.outboxKey(config, service);
        this.leaseKey = key + ":leader";
        this.deadKey = "audit:dead:{" + service + "}";
        this.delivered = Counter.builder("portcullis.audit.delivered").register(registry);
        this.deadLettered = Counter.builder("portcullis.audit.dead.lettered").register(registry);
        registry.gauge("portcullis.audit.outbox.depth", depth);
    }

    /**
     * A forwarder outside CDI, aimed at {@code auditUrl}: for a producer assembled by hand (tools,
     * tests). The CDI bean is configured by {@code portcullis.audit.*} instead.
     */
    public static AuditForwarder to(java.net.URI auditUrl, Vertx vertx, ReactiveRedisDataSource redis, Redis lowLevel,
            ServiceTokens tokens, AuditConfig config, String service, MeterRegistry registry) {
        AuditApi api = io.quarkus.rest.client.reactive.QuarkusRestClientBuilder.newBuilder().baseUri(auditUrl)
                .connectTimeout(2, java.util.concurrent.TimeUnit.SECONDS).readTimeout(15, java.util.concurrent.TimeUnit.SECONDS)
                .build(AuditApi.class);
        return new AuditForwarder(vertx, redis, lowLevel, api, tokens, config, service, registry);
    }

    /**
     * Something was appended: deliver after {@code portcullis.audit.linger} rather than at the next
     * poll. Nudges within one linger share a delivery; a delivery still running when the linger ends
     * is waited for, one linger at a time.
     */
    void nudge() {
        if (!config.forward() || Instant.now().isBefore(nextAttempt)) {
            return;
        }
        if (config.linger().isZero()) {
            drainQuietly();
        } else if (lingering.compareAndSet(false, true)) {
            vertx.setTimer(config.linger().toMillis(), id -> {
                lingering.set(false);
                if (draining.get()) {
                    nudge();
                } else {
                    drainQuietly();
                }
            });
        }
    }

    private void drainQuietly() {
        drain().subscribe().with(x -> {
        }, e -> {
        });
    }

    @Scheduled(every = "${portcullis.audit.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        if (!config.forward() || Instant.now().isBefore(nextAttempt)) {
            return updateDepth();
        }
        return drain().onFailure().recoverWithNull().replaceWithVoid().chain(this::updateDepth);
    }

    private Uni<Void> updateDepth() {
        return streams.xlen(key).invoke(depth::set).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Delivers until the outbox is empty or a delivery fails (which it reports). */
    public Uni<Void> drain() {
        if (!draining.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return lease.run(List.of(leaseKey), RedisScript.args(holder, config.lease().toMillis()))
                .chain(r -> r.toInteger() == 1 ? ensureGroup().chain(this::deliverAll) : Uni.createFrom().voidItem())
                .onFailure().invoke(this::failed)
                .eventually(() -> draining.set(false));
    }

    private Uni<Void> ensureGroup() {
        if (groupReady.get()) {
            return Uni.createFrom().voidItem();
        }
        return streams.xgroupCreate(key, GROUP, "0", new io.quarkus.redis.datasource.stream.XGroupCreateArgs().mkstream())
                .onFailure(e -> String.valueOf(e.getMessage()).contains("BUSYGROUP")).recoverWithNull()
                .invoke(() -> groupReady.set(true)).replaceWithVoid();
    }

    private Uni<Void> deliverAll() {
        // entries read before a crash and never acknowledged come first ("0"), then new ones (">")
        return read("0").chain(pending -> pending.isEmpty() ? read(">") : Uni.createFrom().item(pending))
                .chain(batch -> {
                    if (batch.isEmpty()) {
                        backoff = Duration.ZERO;
                        return Uni.createFrom().voidItem();
                    }
                    return deliver(batch).chain(() -> batch.size() >= config.batchSize() ? deliverAll() : Uni.createFrom().voidItem());
                });
    }

    private Uni<List<StreamMessage<String, String, String>>> read(String from) {
        return streams.xreadgroup(GROUP, CONSUMER, key, from, new XReadGroupArgs().count(config.batchSize()))
                .map(list -> list == null ? List.<StreamMessage<String, String, String>>of() : list)
                .onFailure(e -> String.valueOf(e.getMessage()).contains("NOGROUP"))
                .invoke(() -> groupReady.set(false));
    }

    /**
     * Sends {@code events} (each already JSON) straight to the audit-service, around the outbox: for
     * events Redis could not take. Completes once the audit-service has them; fails otherwise, with
     * {@link AuditSink.RefusedAuditEvents} on 400. They may arrive before older events still in the
     * outbox (the audit-service keeps each event once, by its id, whichever way it came).
     */
    Uni<Void> deliverDirect(List<String> events) {
        if (!config.forward()) {
            return Uni.createFrom().failure(new IllegalStateException("this instance does not forward audit events"));
        }
        return post(events.stream().collect(Collectors.joining(",", "[", "]")), false).chain(status -> {
            if (status / 100 == 2) {
                delivered.increment(events.size());
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().failure(status == 400 ? new AuditSink.RefusedAuditEvents(events.size())
                    : new IllegalStateException("audit-service answered " + status));
        });
    }

    /**
     * POSTs a JSON array of events with this service's token; the status (a 401 drops the token). From
     * the outbox ({@code underLease}), the lease is renewed first and the POST not sent if it was lost.
     */
    private Uni<Integer> post(String body, boolean underLease) {
        return tokens.token()
                .call(token -> underLease ? holdLease() : Uni.createFrom().voidItem())
                .chain(token -> api.send("Bearer " + token, body))
                .onFailure(jakarta.ws.rs.WebApplicationException.class)
                .recoverWithItem(e -> ((jakarta.ws.rs.WebApplicationException) e).getResponse())
                .map(response -> {
                    if (response.getStatus() == 401) {
                        tokens.invalidate();
                    }
                    return response.getStatus();
                });
    }

    private Uni<Void> holdLease() {
        return lease.run(List.of(leaseKey), RedisScript.args(holder, config.lease().toMillis()))
                .chain(r -> r.toInteger() == 1 ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(new IllegalStateException("another instance now forwards the outbox")));
    }

    private Uni<Void> deliver(List<StreamMessage<String, String, String>> batch) {
        String body = batch.stream().map(m -> m.payload().get(OutboxAuditSink.FIELD)).collect(Collectors.joining(",", "[", "]"));
        String[] ids = batch.stream().map(StreamMessage::id).toArray(String[]::new);
        return post(body, true)
                .chain(status -> {
                    if (status / 100 == 2) {
                        delivered.increment(batch.size());
                        backoff = Duration.ZERO;
                        return remove(ids);
                    }
                    if (status == 400) {
                        if (batch.size() == 1) {
                            return deadLetter(batch, ids);
                        }
                        // one invalid event must not take the valid ones with it: halve, in order,
                        // until the refused ones stand alone (about log2(batch) more requests)
                        int half = batch.size() / 2;
                        return deliver(batch.subList(0, half)).chain(() -> deliver(batch.subList(half, batch.size())));
                    }
                    return Uni.createFrom().failure(new IllegalStateException("audit-service answered " + status));
                });
    }

    private Uni<Void> remove(String[] ids) {
        return streams.xack(key, GROUP, ids).chain(() -> streams.xdel(key, ids)).replaceWithVoid();
    }

    private Uni<Void> deadLetter(List<StreamMessage<String, String, String>> batch, String[] ids) {
        LOG.errorf("audit-service refused %d events as invalid; moved to %s", batch.size(), deadKey);
        deadLettered.increment(batch.size());
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (StreamMessage<String, String, String> m : batch) {
            chain = chain.chain(() -> streams.xadd(deadKey, Map.of(OutboxAuditSink.FIELD, m.payload().get(OutboxAuditSink.FIELD))))
                    .replaceWithVoid();
        }
        return chain.chain(() -> remove(ids));
    }

    private void failed(Throwable e) {
        Duration next = backoff.isZero() ? Duration.ofSeconds(1) : backoff.multipliedBy(2);
        backoff = next.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : next;
        nextAttempt = Instant.now().plus(backoff);
        LOG.debugf("audit delivery failed (%s); next attempt in %s", e.getMessage(), backoff);
    }

    /** The stream this forwarder drains (for tests and diagnostics). */
    public String outboxKey() {
        return key;
    }
}
