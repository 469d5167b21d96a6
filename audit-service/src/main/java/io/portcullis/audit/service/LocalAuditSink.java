package io.portcullis.audit.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.common.audit.AuditEvent;
import io.portcullis.common.audit.AuditSink;
import io.smallrye.mutiny.Uni;

/** The audit-service's own security decisions go straight into its chain, not through a Redis outbox. */
@ApplicationScoped
public class LocalAuditSink implements AuditSink {

    private final ChainWriter writer;

    public LocalAuditSink(ChainWriter writer) {
        this.writer = writer;
    }

    @Override
    public Uni<Void> accept(AuditEvent event) {
        return writer.append(List.of(event)).replaceWithVoid();
    }
}
