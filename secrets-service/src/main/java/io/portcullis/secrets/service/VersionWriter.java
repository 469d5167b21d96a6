package io.portcullis.secrets.service;

import java.time.Instant;

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
 * Writes a new version with as few round trips as the database allows, so that writes cost what a
 * commit costs:
 *
 * <ol>
 * <li>one read of the path's current version, carrying the generation counter (so the policy check
 * needs no query of its own); authorize, check {@code cas}, seal for version N+1;</li>
 * <li>one statement, in autocommit, that moves the path from N to N+1 only if it is still at N, inserts
 * the version and removes those beyond {@code max_versions}.</li>
 * </ol>
 *
 * If another writer came first, the attempt writes nothing and is repeated (with {@code cas}, the
 * repetition then answers 409). After two such attempts the write takes the path's row lock in a
 * transaction, where it cannot lose. A KEK activation met on the way (the database refuses a data key
 * under a KEK that is no longer active) reloads the snapshot and seals again.
 */
@ApplicationScoped
public class VersionWriter {

    /** A stored version. */
    public record Written(String path, int version, Instant createdAt) {
    }

    static final int OPTIMISTIC_ATTEMPTS = 2;
    static final int MAX_ATTEMPTS = 5;

    private final SecretWriteRepository repository;
    private final Snapshots snapshots;
    private final EnvelopeCipher cipher;
    private final SecretAudit audit;
    private final SecretsMetrics metrics;
    private final int defaultMaxVersions;

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
        return attempt(caller, path, plaintext, cas, 0, false);
    }

    /** Marks an attempt that met a KEK activation: the next one reloads the snapshot first. */
    private static final Written STALE_KEK = new Written("", 0, Instant.EPOCH);

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
            return created.chain(() -> repository.insertNext(repository.pool(), path, next, now, caller.actor(), e, cas != null))
                    .map(ok -> ok ? new Written(path, next, now) : null);
        }));
    }

    /** Under the path's row lock: cannot lose to another writer. */
    private Uni<Written> locked(Caller caller, String path, byte[] plaintext, Integer cas, boolean reload) {
        Instant now = Times.now();
        return repository.pool().withTransaction(c -> repository.createIfMissing(c, path, defaultMaxVersions, now)
                .chain(() -> repository.lock(c, path))
                .chain(cur -> cur == null ? Uni.createFrom().<Written>nullItem() : snapshot(cur.generation(), reload).chain(s -> {
                    Envelope e = seal(s, caller, path, cur, plaintext, cas);
                    return repository.insertNext(c, path, cur.version() + 1, now, caller.actor(), e, cas != null)
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
