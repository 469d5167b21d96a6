package io.portcullis.secrets.repository;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.portcullis.secrets.domain.SecretMetadata;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class SecretMetadataRepository implements PanacheRepositoryBase<SecretMetadata, String> {

    /**
     * The path's metadata, created if missing, locked ({@code FOR UPDATE}) until the transaction ends:
     * writers of one path take turns, so versions and check-and-set stay exact. The upsert makes two
     * first writers of a path meet on the lock instead of on a unique violation.
     */
    public Uni<SecretMetadata> lockOrCreate(String path, int maxVersions, Instant now) {
        return getSession().chain(s -> s.createNativeQuery("INSERT INTO secret_metadata "
                + "(path, current_version, max_versions, cas_required, created_at, updated_at) "
                + "VALUES (:path, 0, :max, false, :now, :now) ON CONFLICT (path) DO NOTHING")
                .setParameter("path", path).setParameter("max", maxVersions).setParameter("now", now)
                .executeUpdate())
                .chain(() -> findById(path, LockModeType.PESSIMISTIC_WRITE));
    }

    /** The path's metadata locked until the transaction ends, or null. */
    public Uni<SecretMetadata> lock(String path) {
        return findById(path, LockModeType.PESSIMISTIC_WRITE);
    }
}
