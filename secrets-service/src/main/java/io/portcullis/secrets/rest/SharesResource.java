package io.portcullis.secrets.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.portcullis.secrets.service.ShareService;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Redeeming a one-time share: any authenticated caller holding the token gets the value once (the
 * token, not a policy, is the grant). The token travels in the body, never in a URL.
 */
@Path("/secrets/shares")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class SharesResource {

    @RegisterForReflection
    public record UnwrapRequest(String token) {
        @Override
        public String toString() {
            return "UnwrapRequest[]";
        }
    }

    private final ShareService shares;
    private final SecurityIdentity identity;

    public SharesResource(ShareService shares, SecurityIdentity identity) {
        this.shares = shares;
        this.identity = identity;
    }

    @POST
    @Path("/unwrap")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> unwrap(UnwrapRequest body) {
        return shares.consume(Callers.of(identity), Params.body(body).token())
                .map(v -> NoStore.ok(SecretsResource.SecretResponse.of(v)));
    }
}
