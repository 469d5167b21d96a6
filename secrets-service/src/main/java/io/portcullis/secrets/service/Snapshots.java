package io.portcullis.secrets.service;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.portcullis.secrets.domain.PolicySet;
import io.portcullis.secrets.domain.Snapshot;
import io.portcullis.secrets.repository.SnapshotRepository;
import io.smallrye.mutiny.Uni;

/**
 * The cached policies and active KEK of this instance, never stale by more than the query that
 * asks: every change to policies or KEKs bumps {@code secret_generation} (triggers), reads carry the
 * counter in their own statement, and other operations read it first. A newer generation reloads the
 * whole snapshot in one statement. Several instances need no message bus for this.
 */
@ApplicationScoped
public class Snapshots {

    private static final Logger LOG = Logger.getLogger(Snapshots.class);

    private final SnapshotRepository repository;
    private final PolicyCodec codec;
    private volatile Snapshot current;

    public Snapshots(SnapshotRepository repository, PolicyCodec codec) {
        this.repository = repository;
        this.codec = codec;
    }

    /** The snapshot as of now (one small query, plus a reload when something changed). */
    public Uni<Snapshot> fresh() {
        return repository.generation().chain(this::atLeast);
    }

    /** The cached snapshot if it is at least as new as {@code generation}, else null (then {@link #atLeast}). */
    public Snapshot cached(long generation) {
        Snapshot s = current;
        return s != null && s.generation() >= generation ? s : null;
    }

    /** A snapshot read now, whatever the cached generation says. */
    public Uni<Snapshot> reload() {
        return repository.load().map(this::offer);
    }

    /** A snapshot at least as new as {@code generation} (as seen by a query in this request). */
    public Uni<Snapshot> atLeast(long generation) {
        Snapshot s = current;
        if (s != null && s.generation() >= generation) {
            return Uni.createFrom().item(s);
        }
        return repository.load().map(this::offer);
    }

    private Snapshot offer(SnapshotRepository.Loaded loaded) {
        List<PolicySet.Entry> entries = new ArrayList<>();
        for (SnapshotRepository.StoredPolicy p : loaded.policies()) {
            try {
                entries.add(new PolicySet.Entry(p.groups(), codec.decode(p.rulesJson())));
            } catch (IllegalStateException e) {
                // fail closed for this policy only: it grants nothing until it is fixed
                LOG.errorf("policy %s has malformed rules; it grants nothing", p.name());
            }
        }
        Snapshot loadedSnapshot = new Snapshot(loaded.generation(), loaded.activeKekId(), PolicySet.of(entries));
        synchronized (this) {
            // at equal generations the one just read is at least as fresh as the cached one
            if (current == null || loadedSnapshot.generation() >= current.generation()) {
                current = loadedSnapshot;
            }
            return current;
        }
    }
}
