package io.portcullis.exec.service;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.portcullis.common.audit.AuditLog;
import io.portcullis.exec.config.ExecConfig;
import io.portcullis.exec.domain.Action;
import io.portcullis.exec.domain.Catalog;
import io.portcullis.exec.repository.JobRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Gives up on jobs no instance will finish, and deletes finished jobs past the retention.
 *
 * <p>A running job is lost when it runs longer than its timeout plus a minute (its instance must have
 * stopped: a live one kills it at the timeout). A queued job is lost when it has waited longer than
 * the longest a full queue can take: {@code (queue-capacity / workers + 1)} times the catalog's
 * longest timeout, plus a minute. Either is marked {@code failed} with the error {@code lost}.
 */
@ApplicationScoped
public class Housekeeping {

    private static final Logger LOG = Logger.getLogger(Housekeeping.class);
    private static final Duration GRACE = Duration.ofMinutes(1);

    private final JobRepository repository;
    private final AuditLog audit;
    private final Duration retention;
    private final Duration maxQueued;

    public Housekeeping(JobRepository repository, AuditLog audit, ExecConfig config, Catalog catalog) {
        this.repository = repository;
        this.audit = audit;
        this.retention = config.retention();
        Duration longest = catalog.actions().values().stream().map(Action::timeout).max(Duration::compareTo)
                .orElse(Duration.ofMinutes(1));
        this.maxQueued = longest.multipliedBy(config.queueCapacity() / Math.max(1, config.workers()) + 1L).plus(GRACE);
    }

    @Scheduled(every = "${portcullis.exec.housekeeping-interval}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        Instant now = Instant.now();
        return repository.failLost(now, GRACE, maxQueued)
                .invoke(ids -> ids.forEach(id -> audit.record(AuditLog.event("exec_job", "failure").actor("svc:exec-service")
                        .detail("phase", "lost").detail("jobId", id))))
                .chain(() -> repository.deleteFinishedBefore(now.minus(retention)))
                .invoke(deleted -> {
                    if (deleted > 0) {
                        LOG.infof("deleted %d finished jobs older than %s", deleted, retention);
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("exec housekeeping failed: %s", e.getClass().getSimpleName()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
