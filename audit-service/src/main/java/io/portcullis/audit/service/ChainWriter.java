package io.portcullis.audit.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.audit.config.AuditLogConfig;
import io.portcullis.audit.domain.ChainedEvent;
import io.portcullis.audit.repository.EventRepository;
import io.portcullis.common.audit.AuditEvent;
import io.smallrye.mutiny.Uni;

/**
 * The single writer of the chain. Every append, from any request, joins one queue; the writer takes
 * what has queued up (up to {@code max-write-batch} events), and in one transaction locks the head
 * row, drops events whose id is already stored, assigns the next seqs, computes each hash from the
 * previous one, inserts them all in one statement and moves the head. Concurrent producers thus never
 * fork the chain, seq has no gap, and a busy log commits many requests per transaction (group commit).
 * The head row lock also serialises writers on other instances.
 */
@ApplicationScoped
public class ChainWriter {

    private static final Logger LOG = Logger.getLogger(ChainWriter.class);

    /** What became of one append: how many events were new, how many were already in the log. */
    public record Result(int accepted, int duplicates) {
    }

    private record Pending(List<AuditEvent> events, CompletableFuture<Result> done) {
    }

    private final EventRepository repository;
    private final MeterRegistry registry;
    private final int maxWriteBatch;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong headSeq = new AtomicLong(-1);

    public ChainWriter(EventRepository repository, MeterRegistry registry, AuditLogConfig config) {
        this.repository = repository;
        this.registry = registry;
        this.maxWriteBatch = config.maxWriteBatch();
    }

    /** Appends {@code events} (in this order); completes when they are committed. */
    public Uni<Result> append(List<AuditEvent> events) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        queue.add(new Pending(events, done));
        kick();
        return Uni.createFrom().completionStage(done);
    }

    /** The seq of the last event this instance committed, or -1. */
    public long lastCommittedSeq() {
        return headSeq.get();
    }

    private void kick() {
        if (writing.compareAndSet(false, true)) {
            writeNext();
        }
    }

    private void writeNext() {
        List<Pending> group = new ArrayList<>();
        int events = 0;
        Pending p;
        while (events < maxWriteBatch && (p = queue.poll()) != null) {
            group.add(p);
            events += p.events().size();
        }
        if (group.isEmpty()) {
            writing.set(false);
            if (!queue.isEmpty()) {
                kick(); // something arrived between the poll and the reset
            }
            return;
        }
        write(group).subscribe().with(results -> {
            for (int i = 0; i < group.size(); i++) {
                group.get(i).done().complete(results.get(i));
            }
            writeNext();
        }, failure -> {
            LOG.errorf(failure, "appending %d request(s) to the audit chain failed", group.size());
            group.forEach(g -> g.done().completeExceptionally(failure));
            writeNext();
        });
    }

    private Uni<List<Result>> write(List<Pending> group) {
        Map<UUID, AuditEvent> unique = new LinkedHashMap<>();
        for (Pending p : group) {
            for (AuditEvent e : p.events()) {
                unique.putIfAbsent(e.id(), e);
            }
        }
        UUID[] ids = unique.keySet().toArray(UUID[]::new);
        return repository.pool().withTransaction(conn -> repository.lockHead(conn)
                .chain(head -> repository.existingIds(conn, ids).chain(existing -> {
                    Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    long seq = head.seq();
                    byte[] prev = head.hash();
                    Set<UUID> taken = new HashSet<>(existing);
                    List<ChainedEvent> chained = new ArrayList<>();
                    List<Result> results = new ArrayList<>(group.size());
                    for (Pending p : group) {
                        int accepted = 0;
                        int duplicates = 0;
                        for (AuditEvent e : p.events()) {
                            if (!taken.add(e.id())) {
                                duplicates++;
                                continue;
                            }
                            ChainedEvent ce = ChainedEvent.append(++seq, e, receivedAt, prev);
                            prev = ce.hash();
                            chained.add(ce);
                            accepted++;
                        }
                        results.add(new Result(accepted, duplicates));
                    }
                    if (chained.isEmpty()) {
                        return Uni.createFrom().item(results);
                    }
                    long last = seq;
                    byte[] lastHash = prev;
                    return repository.insert(conn, chained)
                            .chain(() -> repository.moveHead(conn, last, lastHash))
                            .invoke(() -> {
                                headSeq.set(last);
                                chained.forEach(ce -> registry.counter("portcullis.audit.ingested", "type", ce.event().type())
                                        .increment());
                            })
                            .replaceWith(results);
                })));
    }
}
