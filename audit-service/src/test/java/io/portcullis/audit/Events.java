package io.portcullis.audit;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.vertx.core.json.JsonObject;

/** Builds ingest payloads for tests. */
public final class Events {

    private Events() {
    }

    public static JsonObject event(String type, String outcome, Map<String, Object> details) {
        return new JsonObject()
                .put("id", UUID.randomUUID().toString())
                .put("type", type)
                .put("outcome", outcome)
                .put("actor", "user:" + UUID.randomUUID())
                .put("sourceIp", "10.1.2.3")
                .put("service", "test-producer")
                .put("requestId", "req-" + UUID.randomUUID().toString().substring(0, 8))
                .put("occurredAt", Instant.now().toString())
                .put("details", new JsonObject(details));
    }

    public static JsonObject event() {
        return event("auth_attempt", "success", Map.of("username", "alice"));
    }
}
