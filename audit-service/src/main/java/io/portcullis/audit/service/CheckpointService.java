package io.portcullis.audit.service;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.audit.config.AuditLogConfig;
import io.portcullis.audit.domain.Checkpoint;
import io.portcullis.audit.repository.CheckpointRepository;
import io.portcullis.audit.repository.EventRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Signs the head every {@code checkpoint-every} events or {@code checkpoint-interval}, whichever
 * comes first (and only when there is something new). Instances racing for the same head store it
 * once (the seq is the key).
 */
@ApplicationScoped
public class CheckpointService {

    private final EventRepository events;
    private final CheckpointRepository checkpoints;
    private final CheckpointSigner signer;
    private final int every;
    private final Duration interval;

    public CheckpointService(EventRepository events, CheckpointRepository checkpoints, CheckpointSigner signer,
            AuditLogConfig config) {
        this.events = events;
        this.checkpoints = checkpoints;
        this.signer = signer;
        this.every = config.checkpointEvery();
        this.interval = config.checkpointInterval();
    }

    @Scheduled(every = "${portcullis.audit-log.checkpoint-check:5s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return checkpointIfDue(false).replaceWithVoid();
    }

    /** Signs the current head when due (or always, with {@code force}, if it moved). */
    public Uni<Boolean> checkpointIfDue(boolean force) {
        return events.head().chain(head -> checkpoints.latest().chain(latest -> {
            long lastSeq = latest.map(Checkpoint::seq).orElse(0L);
            Instant lastAt = latest.map(Checkpoint::signedAt).orElse(Instant.EPOCH);
            boolean moved = head.seq() > lastSeq;
            boolean due = head.seq() - lastSeq >= every || Instant.now().isAfter(lastAt.plus(interval));
            if (!moved || !(due || force)) {
                return Uni.createFrom().item(false);
            }
            Checkpoint c = signer.sign(head.seq(), head.hash(), Instant.now().truncatedTo(ChronoUnit.MICROS));
            return checkpoints.insert(c).replaceWith(true);
        }));
    }
}
