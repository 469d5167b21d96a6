package io.portcullis.common.audit;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How a producer delivers its audit events ({@code portcullis.audit.*}). */
@ConfigMapping(prefix = "portcullis.audit")
public interface AuditConfig {

    /** Base URL of the audit-service. */
    @WithDefault("http://127.0.0.1:8084")
    String url();

    /**
     * Whether this instance forwards its outbox to the audit-service. Off in tests that have no
     * audit-service; events then stay, durably, in the outbox.
     */
    @WithDefault("true")
    boolean forward();

    /**
     * The Redis stream that buffers this service's events until the audit-service has them.
     * Default {@code audit:outbox:{<quarkus.application.name>}} (hash-tagged: one cluster slot).
     */
    Optional<String> outboxKey();

    /** Events per delivery (the audit-service takes at most 1,000). */
    @WithDefault("500")
    int batchSize();

    /**
     * How long the forwarder waits after an event is appended before it delivers, so that the events
     * of concurrent requests leave in one POST instead of one each. The events are already durable
     * in the outbox while they wait. {@code 0} delivers at once.
     */
    @WithDefault("PT0.1S")
    Duration linger();

    /** How often the forwarder looks for new events when nobody nudged it. */
    @WithDefault("PT1S")
    Duration pollInterval();

    /**
     * How long the lease of the instance that forwards lasts. It is renewed before every POST, so it
     * must outlast one (the audit client's connect and read timeouts: 2 s and 15 s); an instance that
     * dies holding it hands over after at most this long.
     */
    @WithDefault("PT30S")
    Duration lease();

    /** Longest wait between two delivery attempts while the audit-service is down. */
    @WithDefault("PT30S")
    Duration maxBackoff();

    /**
     * Events kept in memory while Redis itself cannot take them; beyond this, the oldest are dropped
     * with an error log and a metric (nothing else can hold them).
     */
    @WithDefault("10000")
    int memoryBufferSize();
}
