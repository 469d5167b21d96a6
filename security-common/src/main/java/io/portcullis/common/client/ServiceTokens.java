package io.portcullis.common.client;

import io.smallrye.mutiny.Uni;

/**
 * This service's own access token for calls to the others (OAuth2 client credentials,
 * {@code sub = svc:<name>}, group {@code service}), cached until shortly before it expires.
 */
public interface ServiceTokens {

    Uni<String> token();

    /** Forgets the cached token (after a 401), so the next call fetches a fresh one. */
    void invalidate();
}
