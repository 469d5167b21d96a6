package io.portcullis.auth.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.domain.User;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<User, UUID> {

    public Uni<User> findByUsername(String username) {
        return find("username", username).firstResult();
    }
}
