package io.portcullis.audit.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.common.audit.AuditConfig;
import io.portcullis.common.audit.AuditEvent;
import io.portcullis.common.audit.AuditForwarder;
import io.portcullis.common.audit.OutboxAuditSink;
import io.portcullis.common.client.ServiceTokens;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.portcullis.devinfra.TestInfra;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.mutiny.redis.client.Redis;

/**
 * A producer's outbox while the audit-service is away: 1,000 events emitted during the outage stay
 * in Redis, none is lost, and all arrive, in order, once it answers again. The outage is real from
 * the producer's side: its audit URL points at a port that refuses connections until a relay to
 * this service opens on it.
 */
@QuarkusTest
class OutboxDeliveryTest {

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    Redis lowLevelRedis;
    @ConfigProperty(name = "quarkus.http.test-port")
    int servicePort;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    /** A producer's token source: svc:{@code producer}, counting each ask (one per delivery). */
    static ServiceTokens tokensOf(String producer, java.util.concurrent.atomic.AtomicInteger asked) {
        return new ServiceTokens() {
            @Override
            public Uni<String> token() {
                asked.incrementAndGet();
                return Uni.createFrom().item(TestTokens.service(producer).sign());
            }

            @Override
            public void invalidate() {
            }
        };
    }

    /** The producer's outbox, appending through {@code forwarder}. */
    static com.fasterxml.jackson.databind.ObjectMapper mapper() {
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    OutboxAuditSink sinkOf(AuditConfig config, String producer, AuditForwarder forwarder) {
        return new OutboxAuditSink(lowLevelRedis, mapper(), config, producer, forwarder);
    }

    @Test
    void thousandEventsEmittedWhileTheServiceIsDownAllArriveInOrder() throws Exception {
        int relayPort = TestInfra.freePort();
        String producer = "outage-producer-" + UUID.randomUUID().toString().substring(0, 8);
        // a linger longer than the test's own attempts, so that they are the only deliveries tried while "down"
        AuditConfig config = config("audit:outbox:{" + producer + "}", Duration.ofSeconds(30));
        ServiceTokens tokens = tokensOf(producer, new java.util.concurrent.atomic.AtomicInteger());
        AuditForwarder forwarder = AuditForwarder.to(URI.create("http://127.0.0.1:" + relayPort), vertx, redis, lowLevelRedis, tokens,
                config, producer, new SimpleMeterRegistry());
        OutboxAuditSink sink = sinkOf(config, producer, forwarder);

        // the audit-service is "down": nothing listens on the relay port
        String actor = "svc:" + producer;
        for (int i = 0; i < 1000; i++) {
            sink.accept(AuditEvent.builder("exec_job", "success").actor(actor).service(producer)
                    .detail("n", i).build()).await().atMost(Duration.ofSeconds(5));
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            Uni<Void> failed = forwarder.drain();
            org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> failed.await().atMost(Duration.ofSeconds(20)));
        }
        assertEquals(1000L, redis.stream(String.class).xlen(forwarder.outboxKey()).await().atMost(Duration.ofSeconds(5)),
                "all events wait durably in the outbox");
        assertEquals(0, count(actor), "nothing arrived while down");

        // the audit-service is back
        NetServer relay = relay(relayPort);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                forwarder.drain().onFailure().recoverWithNull().await().atMost(Duration.ofSeconds(30));
                return count(actor) == 1000;
            });
        } finally {
            relay.close();
        }
        List<String> order = detailsN(actor);
        assertEquals(1000, order.size(), "every event arrived once");
        for (int i = 0; i < 1000; i++) {
            assertEquals(Integer.toString(i), order.get(i), "in the order they were emitted");
        }
        assertEquals(0L, redis.stream(String.class).xlen(forwarder.outboxKey()).await().atMost(Duration.ofSeconds(5)),
                "delivered events leave the outbox");
        redis.key().del(forwarder.outboxKey(), forwarder.outboxKey() + ":leader").await().atMost(Duration.ofSeconds(5));
    }

    /**
     * A drain longer than the lease keeps it: the lease is renewed before every POST, so a second
     * instance of the same service, trying all along, never forwards the same outbox at the same time
     * (it would re-send the batch in flight and break the order). Each delivery here takes at least
     * 400 ms (a slow token), eight of them 3.2 s, against a 1.5 s lease.
     */
    @Test
    void aDrainLongerThanTheLeaseKeepsItAndASecondInstanceWaits() {
        String producer = "lease-producer-" + UUID.randomUUID().toString().substring(0, 8);
        AuditConfig config = config("audit:outbox:{" + producer + "}", Duration.ofSeconds(30), 100, Duration.ofMillis(1500));
        java.util.concurrent.atomic.AtomicInteger firstAsked = new java.util.concurrent.atomic.AtomicInteger();
        ServiceTokens slow = new ServiceTokens() {
            @Override
            public Uni<String> token() {
                firstAsked.incrementAndGet();
                return Uni.createFrom().item(TestTokens.service(producer).sign()).onItem().delayIt().by(Duration.ofMillis(400));
            }

            @Override
            public void invalidate() {
            }
        };
        java.util.concurrent.atomic.AtomicInteger secondAsked = new java.util.concurrent.atomic.AtomicInteger();
        URI audit = URI.create("http://127.0.0.1:" + servicePort);
        AuditForwarder first = AuditForwarder.to(audit, vertx, redis, lowLevelRedis, slow, config, producer, new SimpleMeterRegistry());
        AuditForwarder second = AuditForwarder.to(audit, vertx, redis, lowLevelRedis, tokensOf(producer, secondAsked), config,
                producer, new SimpleMeterRegistry());
        OutboxAuditSink sink = sinkOf(config, producer, first);
        String actor = "svc:" + producer;
        for (int i = 0; i < 1600; i++) {
            sink.accept(AuditEvent.builder("exec_job", "success").actor(actor).service(producer)
                    .detail("n", i).build()).await().atMost(Duration.ofSeconds(5));
        }
        var draining = first.drain().subscribeAsCompletionStage();
        // the first asks for a token only once it holds the lease: from then on the second tries all along
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> firstAsked.get() >= 1);
        while (!draining.isDone()) {
            second.drain().onFailure().recoverWithNull().await().atMost(Duration.ofSeconds(20));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        draining.join();
        assertTrue(firstAsked.get() >= 8, "the first instance delivered all eight batches: " + firstAsked.get());
        assertEquals(0, secondAsked.get(), "the second instance never forwarded while the first drained");
        assertEquals(1600, count(actor));
        List<String> order = detailsN(actor);
        for (int i = 0; i < 1600; i++) {
            assertEquals(Integer.toString(i), order.get(i), "in the order they were emitted");
        }
        redis.key().del(first.outboxKey(), first.outboxKey() + ":leader").await().atMost(Duration.ofSeconds(5));
    }

    /**
     * One invalid event in a batch (a detail key longer than the audit-service takes): the batch is
     * halved until it stands alone, the other nine are chained in order and only it is dead-lettered.
     */
    @Test
    void oneInvalidEventIsDeadLetteredAloneAndTheRestArrive() {
        String producer = "mixed-producer-" + UUID.randomUUID().toString().substring(0, 8);
        AuditConfig config = config("audit:outbox:{" + producer + "}", Duration.ofMillis(1));
        ServiceTokens tokens = tokensOf(producer, new java.util.concurrent.atomic.AtomicInteger());
        AuditForwarder forwarder = AuditForwarder.to(URI.create("http://127.0.0.1:" + servicePort), vertx, redis, lowLevelRedis,
                tokens, config, producer, new SimpleMeterRegistry());
        OutboxAuditSink sink = sinkOf(config, producer, forwarder);
        String actor = "svc:" + producer;
        for (int i = 0; i < 10; i++) {
            AuditEvent.Builder b = AuditEvent.builder("exec_job", "success").actor(actor).service(producer).detail("n", i);
            if (i == 3) {
                b.detail("k".repeat(70), "a key over the audit-service's 64 characters");
            }
            sink.accept(b.build()).await().atMost(Duration.ofSeconds(5));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            forwarder.drain().onFailure().recoverWithNull().await().atMost(Duration.ofSeconds(20));
            return redis.stream(String.class).xlen(forwarder.outboxKey()).await().atMost(Duration.ofSeconds(5)) == 0;
        });
        var page = Specs.as(ChainIntegrityTest.auditor()).queryParam("actor", actor).queryParam("type", "exec_job")
                .queryParam("limit", 100).get("/audit/events").jsonPath();
        assertEquals(List.of("0", "1", "2", "4", "5", "6", "7", "8", "9"), page.getList("events.details.n", String.class));
        // and the refusal itself is on record, as the audit-service's validation_failure with this caller
        assertEquals(false, Specs.as(ChainIntegrityTest.auditor()).queryParam("actor", actor).queryParam("type", "validation_failure")
                .get("/audit/events").jsonPath().getList("events").isEmpty());
        String dead = "audit:dead:{" + producer + "}";
        assertEquals(1L, redis.stream(String.class).xlen(dead).await().atMost(Duration.ofSeconds(5)));
        redis.key().del(forwarder.outboxKey(), forwarder.outboxKey() + ":leader", dead).await().atMost(Duration.ofSeconds(5));
    }

    /** The {@code n} detail of every event of {@code actor}, in the order the chain holds them. */
    static List<String> detailsN(String actor) {
        List<String> order = new java.util.ArrayList<>();
        long after = 0;
        while (true) {
            var page = Specs.as(ChainIntegrityTest.auditor()).queryParam("actor", actor).queryParam("limit", 1000)
                    .queryParam("afterSeq", after).get("/audit/events").jsonPath();
            order.addAll(page.getList("events.details.n", String.class));
            if (page.get("nextAfterSeq") == null) {
                return order;
            }
            after = page.getLong("nextAfterSeq");
        }
    }

    static int count(String actor) {
        int total = 0;
        long after = 0;
        while (true) {
            var page = Specs.as(ChainIntegrityTest.auditor()).queryParam("actor", actor).queryParam("limit", 1000)
                    .queryParam("afterSeq", after).get("/audit/events").jsonPath();
            total += page.getList("events").size();
            if (page.get("nextAfterSeq") == null) {
                return total;
            }
            after = page.getLong("nextAfterSeq");
        }
    }

    /** A TCP relay from {@code port} to this service: "the audit-service is up again". */
    private NetServer relay(int port) throws Exception {
        var client = vertx.createNetClient();
        NetServer server = vertx.createNetServer().connectHandler((NetSocket in) -> {
            in.pause();
            client.connect(servicePort, "127.0.0.1").onSuccess(out -> {
                in.handler(out::write);
                out.handler(in::write);
                in.closeHandler(v -> out.close());
                out.closeHandler(v -> in.close());
                in.resume();
            }).onFailure(e -> in.close());
        });
        return server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void eventsAppendedWithinTheLingerLeaveInOneDelivery() {
        String producer = "linger-producer-" + UUID.randomUUID().toString().substring(0, 8);
        // a linger far longer than 20 appends take, even on a slow machine: none can miss the first POST
        AuditConfig config = config("audit:outbox:{" + producer + "}", Duration.ofSeconds(5));
        java.util.concurrent.atomic.AtomicInteger deliveries = new java.util.concurrent.atomic.AtomicInteger();
        ServiceTokens tokens = tokensOf(producer, deliveries); // asked once per delivery (one POST)
        AuditForwarder forwarder = AuditForwarder.to(URI.create("http://127.0.0.1:" + servicePort), vertx, redis, lowLevelRedis,
                tokens, config, producer, new SimpleMeterRegistry());
        OutboxAuditSink sink = sinkOf(config, producer, forwarder);
        String actor = "svc:" + producer;
        for (int i = 0; i < 20; i++) {
            sink.accept(AuditEvent.builder("exec_job", "success").actor(actor).service(producer)
                    .detail("n", i).build()).await().atMost(Duration.ofSeconds(5));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> count(actor) == 20);
        assertEquals(1, deliveries.get(), "the 20 events must leave in one POST, not one each");
        redis.key().del(forwarder.outboxKey(), forwarder.outboxKey() + ":leader").await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void concurrentEventsAreAppendedInOrderSharingRoundTrips() {
        String producer = "pipeline-producer-" + UUID.randomUUID().toString().substring(0, 8);
        AuditConfig config = config("audit:outbox:{" + producer + "}", Duration.ofSeconds(30));
        ServiceTokens tokens = new ServiceTokens() {
            @Override
            public Uni<String> token() {
                return Uni.createFrom().failure(new IllegalStateException("no delivery in this test"));
            }

            @Override
            public void invalidate() {
            }
        };
        AuditForwarder forwarder = AuditForwarder.to(URI.create("http://127.0.0.1:1"), vertx, redis, lowLevelRedis, tokens, config,
                producer, new SimpleMeterRegistry());
        OutboxAuditSink sink = sinkOf(config, producer, forwarder);
        List<java.util.concurrent.CompletableFuture<Void>> accepted = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            accepted.add(sink.accept(AuditEvent.builder("exec_job", "success").actor("svc:" + producer).service(producer)
                    .detail("n", i).build()).subscribeAsCompletionStage());
        }
        java.util.concurrent.CompletableFuture.allOf(accepted.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
        var entries = redis.stream(String.class).xrange(forwarder.outboxKey(), io.quarkus.redis.datasource.stream.StreamRange.of("-", "+"))
                .await().atMost(Duration.ofSeconds(5));
        assertEquals(500, entries.size(), "every accepted event is in the outbox");
        for (int i = 0; i < 500; i++) {
            assertEquals(String.valueOf(i), new io.vertx.core.json.JsonObject(entries.get(i).payload().get("e"))
                    .getJsonObject("details").getValue("n").toString(), "in the order they were accepted");
        }
        assertTrue(sink.roundTrips() < 500, "events that arrive together share round trips: " + sink.roundTrips());
        redis.key().del(forwarder.outboxKey(), forwarder.outboxKey() + ":leader").await().atMost(Duration.ofSeconds(5));
    }

    static AuditConfig config(String key, Duration linger) {
        return config(key, linger, 100);
    }

    static AuditConfig config(String key, Duration linger, int memoryBufferSize) {
        return config(key, linger, memoryBufferSize, Duration.ofSeconds(30));
    }

    static AuditConfig config(String key, Duration linger, int memoryBufferSize, Duration lease) {
        return new AuditConfig() {
            public String url() {
                return "unused";
            }

            public boolean forward() {
                return true;
            }

            public Optional<String> outboxKey() {
                return Optional.of(key);
            }

            public int batchSize() {
                return 200;
            }

            public Duration linger() {
                return linger;
            }

            public Duration pollInterval() {
                return Duration.ofSeconds(1);
            }

            public Duration lease() {
                return lease;
            }

            public Duration maxBackoff() {
                return Duration.ofSeconds(2);
            }

            public int memoryBufferSize() {
                return memoryBufferSize;
            }
        };
    }
}
