package io.portcullis.common.audit;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.DefaultBean;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.smallrye.mutiny.Uni;

/**
 * The durable buffer of a producer: each event is appended (XADD) to a Redis stream, from which the
 * {@link AuditForwarder} delivers it, in order, whenever the audit-service can take it. An event is
 * accepted only once Redis has it, so a crash of this service loses nothing that was accepted.
 */
@DefaultBean
@ApplicationScoped
public class OutboxAuditSink implements AuditSink {

    static final String FIELD = "e";

    private final ReactiveStreamCommands<String, String, String> streams;
    private final ObjectMapper json;
    private final String key;
    private final AuditForwarder forwarder;

    public OutboxAuditSink(ReactiveRedisDataSource redis, ObjectMapper json, AuditConfig config,
            @ConfigProperty(name = "quarkus.application.name") String service, AuditForwarder forwarder) {
        this.streams = redis.stream(String.class, String.class, String.class);
        this.json = json;
        this.key = outboxKey(config, service);
        this.forwarder = forwarder;
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
        return streams.xadd(key, Map.of(FIELD, body)).invoke(forwarder::nudge).replaceWithVoid();
    }
}
