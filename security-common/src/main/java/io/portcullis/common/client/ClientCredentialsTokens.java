package io.portcullis.common.client;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;

/**
 * Fetches this service's token from auth-service with the client-credentials grant. The client
 * id defaults to the application name; the secret comes from {@code portcullis.client.secret}
 * (usually {@code PORTCULLIS_CLIENT_SECRET_FILE}). One fetch at a time: concurrent callers share it.
 * auth-service, which mints its own tokens, replaces this bean.
 */
@DefaultBean
@ApplicationScoped
public class ClientCredentialsTokens implements ServiceTokens {

    private final AuthTokenApi api;
    private final String clientId;
    private final Optional<String> clientSecret;
    private final AtomicReference<CachedToken> cached = new AtomicReference<>();
    private volatile Uni<String> inFlight;

    public ClientCredentialsTokens(@RestClient AuthTokenApi api,
            @ConfigProperty(name = "portcullis.client.id", defaultValue = "${quarkus.application.name}") String clientId,
            @ConfigProperty(name = "portcullis.client.secret") Optional<String> clientSecret) {
        this.api = api;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
    }

    @Override
    @Timeout(10_000)
    public Uni<String> token() {
        CachedToken c = cached.get();
        if (c != null && c.fresh()) {
            return Uni.createFrom().item(c.token());
        }
        if (clientSecret.isEmpty()) {
            return Uni.createFrom().failure(new IllegalStateException(
                    "portcullis.client.secret is not set (PORTCULLIS_CLIENT_SECRET_FILE): no service token"));
        }
        Uni<String> running = inFlight;
        if (running != null) {
            return running;
        }
        Uni<String> fetch = api.token("client_credentials", clientId, clientSecret.get())
                .map(r -> {
                    cached.set(CachedToken.of(r.accessToken(), Duration.ofSeconds(r.expiresIn())));
                    return r.accessToken();
                })
                .eventually(() -> inFlight = null)
                .memoize().indefinitely();
        inFlight = fetch;
        return fetch;
    }

    @Override
    public void invalidate() {
        cached.set(null);
    }
}
