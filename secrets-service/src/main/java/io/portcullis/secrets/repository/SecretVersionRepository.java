package io.portcullis.secrets.repository;

import java.util.Collection;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.secrets.domain.SecretVersion;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class SecretVersionRepository implements PanacheRepositoryBase<SecretVersion, Long> {

    public Uni<List<SecretVersion>> findVersions(String path, Collection<Integer> versions) {
        return list("path = ?1 and version in ?2", Sort.by("version"), path, versions);
    }
}
