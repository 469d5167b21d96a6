package io.portcullis.audit.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.common.audit.AuditConfig;
import io.portcullis.common.audit.AuditEvent;
import io.portcullis.common.audit.AuditForwarder;
import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.audit.OutboxAuditSink;
import io.portcullis.devinfra.TestInfra;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * A producer whose Redis is down loses no audit event: what waits in memory goes straight to the
 * audit-service, and what no sink can take (the memory queue full, the audit-service down too when the
 * service stops) is written whole, redacted, to the log instead of vanishing. Redis' outage is real:
 * the producer's Redis client points at a port nobody listens on.
 */
@QuarkusTest
class UndeliverableEventsTest {

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    Redis lowLevelRedis;
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.test-port")
    int servicePort;

    private final Vertx vertx = Vertx.vertx();
    private final List<String> undelivered = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            undelivered.add(r instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void close() {
        java.util.logging.Logger.getLogger(AuditLog.UNDELIVERED_CATEGORY).removeHandler(capture);
        vertx.close();
    }

    /** A producer named {@code producer} whose Redis is down, delivering to {@code auditUrl}. */
    private AuditLog producerWithRedisDown(String producer, String auditUrl, int memoryBufferSize) {
        AuditConfig config = OutboxDeliveryTest.config("audit:outbox:{" + producer + "}", Duration.ofMillis(100), memoryBufferSize);
        AuditForwarder forwarder = AuditForwarder.to(URI.create(auditUrl), vertx, redis, lowLevelRedis,
                OutboxDeliveryTest.tokensOf(producer, new AtomicInteger()), config, producer, new SimpleMeterRegistry());
        Redis down = Redis.createClient(io.vertx.mutiny.core.Vertx.newInstance(vertx), "redis://127.0.0.1:" + TestInfra.freePort());
        OutboxAuditSink sink = new OutboxAuditSink(down, OutboxDeliveryTest.mapper(), config, producer, forwarder);
        return new AuditLog(sink, config, new SimpleMeterRegistry(), producer, OutboxDeliveryTest.mapper());
    }

    private static void record(AuditLog log, String producer, int n) {
        log.record(AuditLog.event("exec_job", "success").actor("svc:" + producer).service(producer).detail("n", n)
                .detail("password", "hunter2-never-logged"));
    }

    @Test
    void eventsRedisCannotTakeGoStraightToTheAuditServiceAndAtShutdownToo() {
        String producer = "redisless-" + UUID.randomUUID().toString().substring(0, 8);
        AuditLog log = producerWithRedisDown(producer, "http://127.0.0.1:" + servicePort, 100);
        for (int i = 0; i < 3; i++) {
            record(log, producer, i);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log.pendingCount() == 3);
        assertEquals(0, OutboxDeliveryTest.count("svc:" + producer), "nothing arrived yet");

        log.retryPending().await().atMost(Duration.ofSeconds(20)); // what the scheduler does every second
        assertEquals(3, OutboxDeliveryTest.count("svc:" + producer), "the three arrived around the outbox");
        assertEquals(0, log.pendingCount());

        for (int i = 3; i < 5; i++) {
            record(log, producer, i);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log.pendingCount() == 2);
        log.deliverBeforeStop(); // what the service does when it stops
        assertEquals(5, OutboxDeliveryTest.count("svc:" + producer), "the last two arrived before the service stopped");
        assertEquals(0, log.pendingCount());
    }

    @Test
    void anEventNoSinkCanTakeIsWrittenToTheLogRedactedNeverDroppedSilently() {
        java.util.logging.Logger.getLogger(AuditLog.UNDELIVERED_CATEGORY).addHandler(capture);
        String producer = "stranded-" + UUID.randomUUID().toString().substring(0, 8);
        // the audit-service is down too: nothing listens on its port
        AuditLog log = producerWithRedisDown(producer, "http://127.0.0.1:" + TestInfra.freePort(), 2);
        for (int i = 0; i < 3; i++) {
            record(log, producer, i);
        }
        // memory holds two: the oldest is written to the log as soon as the third arrives
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> undelivered.size() == 1);
        assertThat(undelivered.get(0), containsString("\"n\":\"0\""));
        assertEquals(2, log.pendingCount());

        log.retryPending().await().atMost(Duration.ofSeconds(20));
        assertEquals(2, log.pendingCount(), "kept while neither Redis nor the audit-service takes them");

        log.deliverBeforeStop();
        assertEquals(0, log.pendingCount());
        assertEquals(3, undelivered.size(), "every event is in the log: " + undelivered);
        for (int i = 0; i < 3; i++) {
            String n = "\"n\":\"" + i + "\"";
            assertEquals(1, undelivered.stream().filter(l -> l.contains(n)).count(), "event " + i + " once");
        }
        for (String line : undelivered) {
            assertThat(line, containsString("\"service\":\"" + producer + "\""));
            assertThat(line, containsString("\"type\":\"exec_job\""));
            assertThat(line, not(containsString("hunter2")));
        }
        assertEquals(0, OutboxDeliveryTest.count("svc:" + producer));
    }
}
