package io.portcullis.secrets.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;
import io.portcullis.secrets.config.SecretsConfig;
import io.portcullis.secrets.domain.Envelope;
import io.portcullis.secrets.domain.SecretMetadata;
import io.portcullis.secrets.domain.SecretVersion;
import io.portcullis.secrets.repository.SecretMetadataRepository;
import io.portcullis.secrets.repository.SecretVersionRepository;
import io.portcullis.secrets.repository.ShareRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * The changes to secrets, each one transaction that first locks the path's metadata row: writers of
 * one path take turns (exact versions and check-and-set), writers of different paths do not meet.
 * Authorization and audit are the caller's ({@link SecretService}); these run only once allowed.
 */
@ApplicationScoped
public class SecretWrites {

    /** A stored version. */
    public record Written(String path, int version, Instant createdAt) {
    }

    private final SecretMetadataRepository metadata;
    private final SecretVersionRepository versions;
    private final ShareRepository shares;
    private final EnvelopeCipher cipher;
    private final int defaultMaxVersions;

    public SecretWrites(SecretMetadataRepository metadata, SecretVersionRepository versions, ShareRepository shares,
            EnvelopeCipher cipher, SecretsConfig config) {
        this.metadata = metadata;
        this.versions = versions;
        this.shares = shares;
        this.cipher = cipher;
        this.defaultMaxVersions = config.defaultMaxVersions();
    }

    /**
     * Stores {@code plaintext} as the next version of {@code path}, sealed under the KEK {@code kekId}.
     * {@code cas}: null for no check, 0 for "only if the path has no version yet", N for "only if the
     * current version is N" (409 otherwise). Versions beyond the path's {@code max_versions} are removed.
     */
    @WithTransaction
    public Uni<Written> write(String path, byte[] plaintext, Integer cas, String kekId, String actor) {
        Instant now = Times.now();
        return metadata.lockOrCreate(path, defaultMaxVersions, now).chain(m -> {
            if (cas == null && m.isCasRequired()) {
                throw new ValidationException("cas", "cas is required on this path");
            }
            if (cas != null && cas != m.getCurrentVersion()) {
                throw ProblemException.conflict("cas " + cas + " does not match the current version "
                        + m.getCurrentVersion() + " of this path.");
            }
            int next = m.getCurrentVersion() + 1;
            Envelope envelope = cipher.seal(kekId, path, next, plaintext);
            m.setCurrentVersion(next);
            m.setUpdatedAt(now);
            Uni<Long> prune = next > m.getMaxVersions() ? versions.pruneUpTo(path, next - m.getMaxVersions())
                    : Uni.createFrom().item(0L);
            return versions.persist(new SecretVersion(path, next, now, actor, envelope))
                    .chain(() -> prune)
                    .map(x -> new Written(path, next, now));
        });
    }

    /** Soft-deletes {@code requested} (empty: the current version); returns the versions concerned. */
    @WithTransaction
    public Uni<List<Integer>> softDelete(String path, Set<Integer> requested) {
        Instant now = Times.now();
        return lockExisting(path).chain(m -> {
            Set<Integer> wanted = requested.isEmpty() ? Set.of(m.getCurrentVersion()) : requested;
            return existing(path, wanted).map(list -> {
                list.forEach(v -> v.softDelete(now));
                return numbers(list);
            });
        });
    }

    /** Restores soft-deleted versions; a destroyed one cannot be restored (409). */
    @WithTransaction
    public Uni<List<Integer>> undelete(String path, Set<Integer> requested) {
        return lockExisting(path).chain(m -> existing(path, requested)).map(list -> {
            for (SecretVersion v : list) {
                if (v.isDestroyed()) {
                    throw ProblemException.conflict("Version " + v.getVersion() + " is destroyed and cannot be restored.");
                }
            }
            list.forEach(SecretVersion::undelete);
            return numbers(list);
        });
    }

    /** Erases the values and data keys of {@code requested} for good, and their open shares. */
    @WithTransaction
    public Uni<List<Integer>> destroy(String path, Set<Integer> requested) {
        Instant now = Times.now();
        return lockExisting(path).chain(m -> existing(path, requested)).chain(list -> {
            list.forEach(v -> v.destroy(now));
            List<Integer> numbers = numbers(list);
            return shares.delete("path = ?1 and version in ?2", path, numbers).map(x -> numbers);
        });
    }

    /** Removes the path, every version and every share of it. */
    @WithTransaction
    public Uni<Integer> destroyAll(String path) {
        return lockExisting(path).chain(m -> {
            int current = m.getCurrentVersion();
            return metadata.delete(m).map(x -> current);
        });
    }

    /** Creates or changes a path's settings; a lower {@code maxVersions} applies from the next write. */
    @WithTransaction
    public Uni<SecretMetadata> configure(String path, Integer maxVersions, Boolean casRequired) {
        Instant now = Times.now();
        return metadata.lockOrCreate(path, defaultMaxVersions, now).map(m -> {
            if (maxVersions != null) {
                m.setMaxVersions(maxVersions);
            }
            if (casRequired != null) {
                m.setCasRequired(casRequired);
            }
            m.setUpdatedAt(now);
            return m;
        });
    }

    private Uni<SecretMetadata> lockExisting(String path) {
        return metadata.lock(path).map(m -> {
            if (m == null) {
                throw ProblemException.notFound("No secret at this path.");
            }
            return m;
        });
    }

    /** The versions asked for; 404 naming the first that does not exist. */
    private Uni<List<SecretVersion>> existing(String path, Set<Integer> wanted) {
        return versions.findVersions(path, wanted).map(found -> {
            Set<Integer> missing = new TreeSet<>(wanted);
            found.forEach(v -> missing.remove(v.getVersion()));
            if (!missing.isEmpty()) {
                throw ProblemException.notFound("Version " + missing.iterator().next() + " of this path does not exist.");
            }
            return found;
        });
    }

    private static List<Integer> numbers(List<SecretVersion> list) {
        List<Integer> out = new ArrayList<>(list.size());
        list.forEach(v -> out.add(v.getVersion()));
        return out;
    }
}
