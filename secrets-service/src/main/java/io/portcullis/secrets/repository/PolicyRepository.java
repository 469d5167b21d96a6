package io.portcullis.secrets.repository;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.secrets.domain.Policy;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

@ApplicationScoped
public class PolicyRepository implements PanacheRepositoryBase<Policy, String> {
}
