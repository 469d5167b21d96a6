package io.portcullis.secrets.rest;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.portcullis.secrets.service.PolicyService;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Policies: who (groups) may do what (capabilities) where (path prefixes). Admins only. */
@Path("/secrets/policies")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class PoliciesResource {

    @RegisterForReflection
    public record PolicyRequest(List<String> groups, List<PolicyService.RuleInput> rules) {
    }

    private final PolicyService policies;
    private final SecurityIdentity identity;

    public PoliciesResource(PolicyService policies, SecurityIdentity identity) {
        this.policies = policies;
        this.identity = identity;
    }

    /** Creates (201, {@code Location}) or replaces (200) the policy {@code name}. */
    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> put(@PathParam("name") String name, PolicyRequest body) {
        PolicyRequest b = Params.body(body);
        return policies.put(Callers.of(identity), name, b.groups(), b.rules()).map(saved -> saved.created()
                ? Response.created(URI.create("/secrets/policies/" + name)).entity(saved.policy()).build()
                : Response.ok(saved.policy()).build());
    }

    @GET
    @Path("/{name}")
    public Uni<PolicyService.View> get(@PathParam("name") String name) {
        return policies.get(name);
    }

    @GET
    public Uni<List<PolicyService.View>> list() {
        return policies.list();
    }

    @DELETE
    @Path("/{name}")
    public Uni<Response> delete(@PathParam("name") String name) {
        return policies.delete(Callers.of(identity), name).map(x -> Response.noContent().build());
    }
}
