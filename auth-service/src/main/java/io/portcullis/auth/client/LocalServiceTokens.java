package io.portcullis.auth.client;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.service.TokenIssuer;
import io.portcullis.common.client.ServiceTokens;
import io.smallrye.mutiny.Uni;

/** auth-service signs its own service token ({@code svc:auth-service}) instead of asking itself for one. */
@ApplicationScoped
public class LocalServiceTokens implements ServiceTokens {

    private final TokenIssuer issuer;

    public LocalServiceTokens(TokenIssuer issuer) {
        this.issuer = issuer;
    }

    @Override
    public Uni<String> token() {
        return Uni.createFrom().item(() -> issuer.serviceToken("auth-service").value());
    }

    @Override
    public void invalidate() {
        // nothing cached
    }
}
