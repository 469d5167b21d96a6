package io.portcullis.common.audit;

import io.smallrye.mutiny.Uni;

/**
 * Where a service's audit events go. The default ({@link OutboxAuditSink}) buffers them durably in
 * Redis for the {@link AuditForwarder}; the audit-service replaces it with a sink that appends to its
 * own chain.
 */
public interface AuditSink {

    /** Completes once the event is durably accepted (never before). */
    Uni<Void> accept(AuditEvent event);

    /**
     * Delivers, some other way, events that {@link #accept} could not take (the outbox's Redis is down):
     * completes once they are durable there, fails otherwise, with {@link RefusedAuditEvents} when they
     * were refused as invalid. By default there is no other way.
     */
    default Uni<Void> deliverElsewhere(java.util.List<AuditEvent> events) {
        return Uni.createFrom().failure(new IllegalStateException("this audit sink has no other way"));
    }

    /** The receiver refused a delivery as invalid (HTTP 400): sending it again cannot help. */
    final class RefusedAuditEvents extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RefusedAuditEvents(int count) {
            super("the audit-service refused " + count + " events as invalid", null, false, false);
        }
    }
}
