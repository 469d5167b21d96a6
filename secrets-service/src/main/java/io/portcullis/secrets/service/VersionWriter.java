package io.portcullis.secrets.service;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;
import io.portcullis.secrets.config.SecretsConfig;
import io.portcullis.secrets.domain.Capability;
import io.portcullis.secrets.domain.Caller;
import io.portcullis.secrets.domain.Envelope;
import io.portcullis.secrets.domain.Snapshot;
import io.portcullis.secrets.repository.SecretWriteRepository;
import io.smallrye.mutiny.Uni;

/**
 * Writes a new version so that, in the common case, a write is one statement and one commit:
 *
 * <ul>
 * <li><b>fast</b>: when this instance remembers the path's current version N and holds a snapshot of
 * the policies, authorize, seal for N+1, and send one statement (autocommit) that moves the path from
 * N to N+1 only if it is still at N and the policies are still at the snapshot's generation;</li>
 * <li><b>optimistic</b>: otherwise (or when that statement wrote nothing: another writer, another
 * instance, a policy change), first read the path's current version with the generation counter,
 * then the same statement;</li>
 * <li><b>locked</b>: after two lost races, the same under the path's row lock, where it cannot lose.</li>
 * </ul>
 *
 * Nothing is concluded from the remembered version: a {@code cas} mismatch (409), a refusal (403) or
 * {@code casRequired} (400) is only ever answered from a fresh read. A KEK activation met on the way
 * (the database refuses a data key under a KEK that is no longer active) reloads the snapshot and seals
 * again.
 */
@ApplicationScoped
public class VersionWriter {

    /** A stored version. */
    public record Written(String path, int version, Instant createdAt) {
    }

    static final int OPTIMISTIC_ATTEMPTS = 2;
    static final int MAX_ATTEMPTS = 5;
    /** Paths whose last version this instance remembers (a hint, never trusted for an answer). */
    static final int REMEMBERED_PATHS = 4096;

    /** Marks an attempt that met a KEK activation: the next one reloads the snapshot first. */
    private static final Written STALE_KEK = new Written("", 0, Instant.EPOCH);

    private final SecretWriteRepository repository;
    private final Snapshots snapshots;
    private final EnvelopeCipher cipher;
    private final SecretAudit audit;
    private final SecretsMetrics metrics;
    private final int defaultMaxVersions;
    private final Map<String, Integer> lastVersions = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                    return size() > REMEMBERED_PATHS;
                }
            });

    public VersionWriter(SecretWriteRepository repository, Snapshots snapshots, EnvelopeCipher cipher, SecretAudit audit,
            SecretsMetrics metrics, SecretsConfig config) {
        this.repository = repository;
        this.snapshots = snapshots;
        this.cipher = cipher;
        this.audit = audit;
        this.metrics = metrics;
        this.defaultMaxVersions = config.defaultMaxVersions();
    }

    public Uni<Written> write(Caller caller, String path, byte[] plaintext, Integer cas) {
        Integer known = lastVersions.get(path);
        Snapshot s = snapshots.cached(0);
        Uni<Written> first = known != null && s != null && (cas == null || cas.equals(known))
                && s.activeKekId() != null && s.policies().allows(caller.groups(), Capability.WRITE, path)
                        ? fast(caller, path, plaintext, cas, known, s)
                        : Uni.createFrom().nullItem();
        return first.onFailure(SecretService::isStaleKek).recoverWithItem(STALE_KEK)
                .chain(w -> w != null && w != STALE_KEK ? Uni.createFrom().item(w)
                        : attempt(caller, path, plaintext, cas, 0, w == STALE_KEK))
                .invoke(w -> lastVersions.put(path, w.version()));
    }

    /** Forgets a path whose versions are gone (the hint would only cost a retry, but memory is bounded). */
    public void forget(String path) {
        lastVersions.remove(path);
    }

    /** One statement; null when anything changed since the hint (then the optimistic path). */
    private Uni<Written> fast(Caller caller, String path, byte[] plaintext, Integer cas, int known, Snapshot s) {
        Instant now = Times.now();
        Envelope e = cipher.seal(s.activeKekId(), path, known + 1, plaintext);
        return repository.insertNext(repository.pool(), path, known + 1, now, caller.actor(), e, cas != null, s.generation())
                .map(ok -> ok ? new Written(path, known + 1, now) : null);
    }

    private Uni<Written> attempt(Caller caller, String path, byte[] plaintext, Integer cas, int n, boolean reload) {
        if (n >= MAX_ATTEMPTS) {
            return Uni.createFrom().failure(ProblemException.unavailable("The write could not be completed; retry."));
        }
        Uni<Written> once = n < OPTIMISTIC_ATTEMPTS ? optimistic(caller, path, plaintext, cas, reload)
                : locked(caller, path, plaintext, cas, reload);
        return once.onFailure(SecretService::isStaleKek).recoverWithItem(STALE_KEK).chain(w -> {
            if (w == STALE_KEK) {
                return attempt(caller, path, plaintext, cas, n + 1, true);
            }
            if (w != null) {
                return Uni.createFrom().item(w);
            }
            metrics.writeRetried();
            return attempt(caller, path, plaintext, cas, n + 1, false);
        });
    }

    /** One read, one conditional statement; null when another writer came first. */
    private Uni<Written> optimistic(Caller caller, String path, byte[] plaintext, Integer cas, boolean reload) {
        Instant now = Times.now();
        return repository.current(path).chain(cur -> snapshot(cur.generation(), reload).chain(s -> {
            Envelope e = seal(s, caller, path, cur, plaintext, cas);
            int next = cur.version() + 1;
            Uni<Void> created = cur.exists() ? Uni.createFrom().voidItem()
                    : repository.createIfMissing(repository.pool(), path, defaultMaxVersions, now);
            return created.chain(() -> repository.insertNext(repository.pool(), path, next, now, caller.actor(), e, cas != null,
                    s.generation())).map(ok -> ok ? new Written(path, next, now) : null);
        }));
    }

    /** Under the path's row lock: cannot lose to another writer. */
    private Uni<Written> locked(Caller caller, String path, byte[] plaintext, Integer cas, boolean reload) {
        Instant now = Times.now();
        return repository.pool().withTransaction(c -> repository.createIfMissing(c, path, defaultMaxVersions, now)
                .chain(() -> repository.lock(c, path))
                .chain(cur -> cur == null ? Uni.createFrom().<Written>nullItem() : snapshot(cur.generation(), reload).chain(s -> {
                    Envelope e = seal(s, caller, path, cur, plaintext, cas);
                    return repository.insertNext(c, path, cur.version() + 1, now, caller.actor(), e, cas != null, s.generation())
                            .map(ok -> ok ? new Written(path, cur.version() + 1, now) : null);
                })));
    }

    private Uni<Snapshot> snapshot(long generation, boolean reload) {
        return reload ? snapshots.reload() : snapshots.atLeast(generation);
    }

    /** Authorizes, checks check-and-set, and seals for the next version. */
    private Envelope seal(Snapshot s, Caller caller, String path, SecretWriteRepository.Current cur, byte[] plaintext,
            Integer cas) {
        audit.require(s, caller, Capability.WRITE, "write", path, cas);
        if (cas == null && cur.casRequired()) {
            throw new ValidationException("cas", "cas is required on this path");
        }
        if (cas != null && cas != cur.version()) {
            throw ProblemException.conflict("cas " + cas + " does not match the current version " + cur.version()
                    + " of this path.");
        }
        if (s.activeKekId() == null) {
            throw ProblemException.unavailable("No key-encryption key is active.");
        }
        return cipher.seal(s.activeKekId(), path, cur.version() + 1, plaintext);
    }
}
