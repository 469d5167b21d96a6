package io.portcullis.common.jwt;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;

/**
 * Refuses, after signature, issuer, audience and expiry checks have passed, a token whose session
 * ({@code sid}) has ended, and every session token while the revocation list is stale (fail-closed,
 * see {@link RevocationConfig}).
 */
@ApplicationScoped
public class RevokedSessionAugmentor implements SecurityIdentityAugmentor {

    private final RevocationList revocations;
    private final RevocationConfig config;

    public RevokedSessionAugmentor(RevocationList revocations, RevocationConfig config) {
        this.revocations = revocations;
        this.config = config;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!config.enabled() || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        String sid = jwt.getClaim("sid");
        if (sid == null) {
            return Uni.createFrom().item(identity);
        }
        if (!revocations.isFresh()) {
            // the list cannot be read (Redis down for longer than max-staleness): fail closed, but say
            // so (503, retry) instead of telling the client its credential is bad
            return Uni.createFrom().failure(new io.portcullis.common.problem.ProblemException(503, "unavailable",
                    "Service unavailable", "Session revocations cannot be checked right now; retry shortly.", null,
                    java.util.Map.of("Retry-After", "5")));
        }
        if (revocations.isRevoked(sid)) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return Uni.createFrom().item(identity);
    }
}
