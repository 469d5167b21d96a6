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
}
