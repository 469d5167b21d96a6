package io.portcullis.auth.repository;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.domain.ServiceClient;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

@ApplicationScoped
public class ClientRepository implements PanacheRepositoryBase<ServiceClient, String> {
}
