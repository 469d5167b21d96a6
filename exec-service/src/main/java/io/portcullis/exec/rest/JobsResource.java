package io.portcullis.exec.rest;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import io.portcullis.exec.service.JobService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Jobs: ask for an action by name, read its result. Any authenticated caller may call; whether the
 * caller may run the action is decided per action from the token's groups (JobService), and a job is
 * visible to its owner and to admins only.
 */
@Path("/exec/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class JobsResource {

    private final JobService jobs;
    private final SecurityIdentity identity;

    public JobsResource(JobService jobs, SecurityIdentity identity) {
        this.jobs = jobs;
        this.identity = identity;
    }

    /** {@code {action, params:{name:value}}}: 202 with the job id; invalid input is a 400 and no process starts. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> submit(JsonNode body, @Context RoutingContext rc) {
        return jobs.submit(Callers.of(identity, rc), body).map(job -> Response.accepted(Views.JobAccepted.of(job))
                .location(URI.create("/exec/jobs/" + job.id())).build());
    }

    /** The job and its result; {@code wait} (seconds) holds the request until the job has finished. */
    @GET
    @Path("/{jobId}")
    public Uni<Views.JobView> get(@PathParam("jobId") String jobId, @QueryParam("wait") @DefaultValue("0") int wait,
            @Context RoutingContext rc) {
        return jobs.get(Callers.of(identity, rc), jobId, wait).map(Views.JobView::of);
    }

    /** The caller's own newest jobs, without their output. */
    @GET
    public Uni<Views.JobList> list(@QueryParam("limit") @DefaultValue("20") int limit, @Context RoutingContext rc) {
        return jobs.list(Callers.of(identity, rc), limit)
                .map(list -> new Views.JobList(list.stream().map(Views.JobSummary::of).toList()));
    }
}
