package io.portcullis.gateway.repository;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.gateway.domain.ApiKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, String> {
}
