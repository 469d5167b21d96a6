package io.portcullis.exec.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.portcullis.exec.service.JobService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/** The catalog as the caller may use it: the actions their groups allow, with their parameters. */
@Path("/exec/actions")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class ActionsResource {

    private final JobService jobs;
    private final SecurityIdentity identity;

    public ActionsResource(JobService jobs, SecurityIdentity identity) {
        this.jobs = jobs;
        this.identity = identity;
    }

    @GET
    public Views.ActionList list(@Context RoutingContext rc) {
        return new Views.ActionList(jobs.actionsFor(Callers.of(identity, rc)).stream().map(Views.ActionView::of).toList());
    }
}
