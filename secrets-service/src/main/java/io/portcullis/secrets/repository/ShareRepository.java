package io.portcullis.secrets.repository;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.portcullis.secrets.domain.Share;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class ShareRepository implements PanacheRepositoryBase<Share, String> {

    /** The share, locked: of two readers racing for it, the second finds it gone. */
    public Uni<Share> lock(String tokenHash) {
        return findById(tokenHash, LockModeType.PESSIMISTIC_WRITE);
    }
}
