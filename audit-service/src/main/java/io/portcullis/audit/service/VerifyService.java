package io.portcullis.audit.service;

import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.audit.domain.ChainedEvent;
import io.portcullis.audit.domain.Checkpoint;
import io.portcullis.audit.repository.CheckpointRepository;
import io.portcullis.audit.repository.EventRepository;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Recomputes the whole chain from the first event and checks it against the head and the signed
 * checkpoints. It reports the first seq that is broken: a missing or moved event (seq out of line),
 * an event whose {@code prevHash} does not link to its predecessor, an event whose content no longer
 * matches its hash, a checkpoint that disagrees with the chain or carries no valid signature by a
 * trusted key, or events missing at the end (behind the head or a checkpoint). Hashing runs on a
 * worker thread, page by page, so neither the event loop nor the heap carries the whole log.
 */
@ApplicationScoped
public class VerifyService {

    static final int PAGE = 5_000;

    public record Verdict(boolean valid, long checked, long headSeq, String headHash, Long firstBrokenSeq, String reason,
            int checkpointsChecked) {
    }

    private final EventRepository events;
    private final CheckpointRepository checkpoints;
    private final CheckpointSigner signer;
    private final Timer timer;

    public VerifyService(EventRepository events, CheckpointRepository checkpoints, CheckpointSigner signer,
            MeterRegistry registry) {
        this.events = events;
        this.checkpoints = checkpoints;
        this.signer = signer;
        this.timer = Timer.builder("portcullis.audit.verify").description("Time to verify the whole chain").register(registry);
    }

    private static final class State {
        long expected = 1;
        byte[] prev = ChainedEvent.GENESIS;
        long checked;
        Long broken;
        String reason;
        int checkpointsChecked;

        void fail(long seq, String why) {
            if (broken == null) {
                broken = seq;
                reason = why;
            }
        }
    }

    public Uni<Verdict> verify() {
        long started = System.nanoTime();
        // checkpoints first, then the head: every checkpoint seen was signed over events already
        // appended, so one beyond the head means events went missing, never one signed mid-verify
        return allCheckpoints(0, new TreeMap<>()).chain(cps -> events.head().chain(head -> {
            State s = new State();
            return page(s, head.seq(), cps).map(done -> {
                long last = s.expected - 1;
                if (s.broken == null && head.lastStored() > head.seq()) {
                    // the head was moved back (the writer role may update it): the events after it would
                    // otherwise go unread, and unnoticed
                    s.fail(head.seq() + 1, "events beyond the head: it was moved back to " + head.seq());
                }
                if (s.broken == null && head.seq() > last) {
                    s.fail(last + 1, "events missing: the head is at " + head.seq());
                }
                if (s.broken == null && !cps.tailMap(last, false).isEmpty()) {
                    s.fail(last + 1, "events missing: a checkpoint covers seq " + cps.lastKey());
                }
                if (s.broken == null && !Arrays.equals(head.hash(), s.prev)) {
                    s.fail(last, "the head does not match the last event");
                }
                timer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
                return new Verdict(s.broken == null, s.checked, head.seq(), ChainedEvent.hex(head.hash()), s.broken,
                        s.reason, s.checkpointsChecked);
            });
        }));
    }

    private Uni<NavigableMap<Long, Checkpoint>> allCheckpoints(long after, NavigableMap<Long, Checkpoint> acc) {
        return checkpoints.list(after, 1000).chain(list -> {
            list.forEach(c -> acc.put(c.seq(), c));
            return list.size() < 1000 ? Uni.createFrom().item(acc) : allCheckpoints(list.get(list.size() - 1).seq(), acc);
        });
    }

    private Uni<Boolean> page(State s, long headSeq, NavigableMap<Long, Checkpoint> cps) {
        if (s.broken != null) {
            return Uni.createFrom().item(true);
        }
        return events.range(s.expected - 1, headSeq, PAGE)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .chain(rows -> {
                    check(s, rows, cps);
                    return rows.size() < PAGE || s.broken != null ? Uni.createFrom().item(true) : page(s, headSeq, cps);
                });
    }

    private void check(State s, List<ChainedEvent> rows, NavigableMap<Long, Checkpoint> cps) {
        for (ChainedEvent row : rows) {
            if (row.seq() != s.expected) {
                s.fail(s.expected, "seq " + s.expected + " is missing or out of place");
                return;
            }
            if (!Arrays.equals(row.prevHash(), s.prev)) {
                s.fail(row.seq(), "prevHash does not link to the previous event");
                return;
            }
            if (!row.hashMatches(s.prev)) {
                s.fail(row.seq(), "the event's content does not match its hash");
                return;
            }
            Checkpoint cp = cps.get(row.seq());
            if (cp != null) {
                s.checkpointsChecked++;
                if (!Arrays.equals(cp.hash(), row.hash())) {
                    s.fail(row.seq(), "the signed checkpoint disagrees with the chain");
                    return;
                }
                if (!signer.verify(cp)) {
                    s.fail(row.seq(), "the checkpoint's signature is not valid under a trusted key");
                    return;
                }
            }
            s.prev = row.hash();
            s.expected++;
            s.checked++;
        }
    }
}
