package io.portcullis.secrets.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.secrets.config.SecretsConfig;
import io.portcullis.secrets.domain.SecretMetadata;
import io.portcullis.secrets.domain.SecretVersion;
import io.portcullis.secrets.repository.SecretMetadataRepository;
import io.portcullis.secrets.repository.SecretVersionRepository;
import io.portcullis.secrets.repository.ShareRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * The changes of state of a path (soft delete, undelete, destroy, settings), each one transaction that
 * first locks the path's metadata row, so that they take turns with each other and with writers.
 * Authorization and audit are the caller's ({@link SecretService}); these run only once allowed.
 */
@ApplicationScoped
public class SecretWrites {

    private final SecretMetadataRepository metadata;
    private final SecretVersionRepository versions;
    private final ShareRepository shares;
    private final int defaultMaxVersions;

    public SecretWrites(SecretMetadataRepository metadata, SecretVersionRepository versions, ShareRepository shares,
            SecretsConfig config) {
        this.metadata = metadata;
        this.versions = versions;
        this.shares = shares;
        this.defaultMaxVersions = config.defaultMaxVersions();
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

    /**
     * Creates or changes a path's settings. A lower {@code maxVersions} removes the versions beyond it
     * at once, under the path's lock: a write then only ever removes the one version it pushes out
     * ({@link io.portcullis.secrets.repository.SecretWriteRepository}).
     */
    @WithTransaction
    public Uni<SecretMetadata> configure(String path, Integer maxVersions, Boolean casRequired) {
        Instant now = Times.now();
        return metadata.lockOrCreate(path, defaultMaxVersions, now).chain(m -> {
            if (casRequired != null) {
                m.setCasRequired(casRequired);
            }
            m.setUpdatedAt(now);
            if (maxVersions == null) {
                return Uni.createFrom().item(m);
            }
            m.setMaxVersions(maxVersions);
            return versions.delete("path = ?1 and version <= ?2", path, m.getCurrentVersion() - maxVersions).replaceWith(m);
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
