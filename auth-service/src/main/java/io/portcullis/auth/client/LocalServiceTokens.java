package io.portcullis.auth.client;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.service.TokenIssuer;
import io.portcullis.common.client.CachedToken;
import io.portcullis.common.client.ServiceTokens;
import io.smallrye.mutiny.Uni;

/**
 * auth-service signs its own service token ({@code svc:auth-service}) instead of asking itself for
 * one, and keeps it until shortly before it expires, like every other service. Signing one per
 * audit delivery cost an RSA signature (about a millisecond of event loop here) per batch of events.
 */
@ApplicationScoped
public class LocalServiceTokens implements ServiceTokens {

    private final TokenIssuer issuer;
    private final AtomicReference<CachedToken> cached = new AtomicReference<>();

    public LocalServiceTokens(TokenIssuer issuer) {
        this.issuer = issuer;
    }

    @Override
    public Uni<String> token() {
        CachedToken c = cached.get();
        if (c != null && c.fresh()) {
            return Uni.createFrom().item(c.token());
        }
        return Uni.createFrom().item(() -> {
            TokenIssuer.Token t = issuer.serviceToken("auth-service");
            cached.set(CachedToken.of(t.value(), Duration.ofSeconds(t.expiresIn())));
            return t.value();
        });
    }

    @Override
    public void invalidate() {
        cached.set(null);
    }
}
