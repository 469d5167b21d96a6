package io.portcullis.common.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One security event, in the schema of DESIGN.md (Audit events). Producers create it, redact it
 * ({@link Redactor}) and hand it to {@link AuditLog}; the audit-service validates, redacts again and
 * chains it.
 *
 * @param id the producer's UUID: the idempotency key, so a retried delivery is stored once
 * @param details flat, scalar values only, as strings
 */
public record AuditEvent(UUID id, String type, String outcome, String actor, String sourceIp, String service,
        String requestId, Instant occurredAt, Map<String, String> details) {

    /** The kinds of events (DESIGN.md): the seed's list plus the suite's own. */
    public static final Set<String> TYPES = Set.of("auth_attempt", "authz_failure", "validation_failure",
            "suspicious_activity", "config_change", "privilege_escalation", "session", "secret_access", "exec_job",
            "api_key", "rate_limited", "system_error");
    public static final Set<String> OUTCOMES = Set.of("success", "failure", "denied");
    public static final String ANONYMOUS = "anonymous";

    public AuditEvent {
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
        occurredAt = occurredAt == null ? null : occurredAt.truncatedTo(ChronoUnit.MICROS);
    }

    public static Builder builder(String type, String outcome) {
        return new Builder(type, outcome);
    }

    /** Collects an event; {@link AuditLog#record(Builder)} fills in what the request context knows. */
    public static final class Builder {
        private final String type;
        private final String outcome;
        private UUID id = UUID.randomUUID();
        private String actor;
        private String sourceIp;
        private String service;
        private String requestId;
        private Instant occurredAt = Instant.now();
        private final Map<String, String> details = new LinkedHashMap<>();

        Builder(String type, String outcome) {
            if (!TYPES.contains(type)) {
                throw new IllegalArgumentException("unknown audit event type: " + type);
            }
            if (!OUTCOMES.contains(outcome)) {
                throw new IllegalArgumentException("unknown audit outcome: " + outcome);
            }
            this.type = type;
            this.outcome = outcome;
        }

        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        public Builder actor(String actor) {
            this.actor = actor;
            return this;
        }

        public Builder sourceIp(String sourceIp) {
            this.sourceIp = sourceIp;
            return this;
        }

        public Builder service(String service) {
            this.service = service;
            return this;
        }

        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        public Builder occurredAt(Instant occurredAt) {
            this.occurredAt = occurredAt;
            return this;
        }

        /** A detail; null values are left out, everything else is kept as its string form. */
        public Builder detail(String key, Object value) {
            if (value != null) {
                details.put(key, String.valueOf(value));
            }
            return this;
        }

        String actor() {
            return actor;
        }

        String sourceIp() {
            return sourceIp;
        }

        String service() {
            return service;
        }

        String requestId() {
            return requestId;
        }

        public AuditEvent build() {
            return new AuditEvent(id, type, outcome, actor == null ? ANONYMOUS : actor, sourceIp, service, requestId,
                    occurredAt, details);
        }
    }
}
