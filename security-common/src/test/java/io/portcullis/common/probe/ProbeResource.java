package io.portcullis.common.probe;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.Validation;

/** Endpoints that fail in every way a real service can, for the problem+json and header tests. */
@Path("/probe")
@Produces(MediaType.APPLICATION_JSON)
public class ProbeResource {

    private final io.portcullis.common.audit.AuditLog audit;

    public ProbeResource(io.portcullis.common.audit.AuditLog audit) {
        this.audit = audit;
    }

    @POST
    @Path("/audit")
    @RolesAllowed("user")
    public Response audit(@QueryParam("marker") String marker) {
        audit.record(io.portcullis.common.audit.AuditLog.event("config_change", "success")
                .detail("marker", marker)
                .detail("password", "hunter2-never-logged")
                .detail("note", "line one\r\nFAKE second line"));
        return Response.accepted().build();
    }

    /** A decision a client can repeat at will, audited throttled (like a refused token). */
    @POST
    @Path("/throttled")
    @PermitAll
    public Response throttled(@QueryParam("marker") String marker) {
        audit.recordThrottled("probe|" + marker, io.portcullis.common.audit.AuditLog.event("authz_failure", "denied")
                .detail("marker", marker));
        return Response.status(403).build();
    }

    /** The same, the event built only when recorded (as the gateway's hot paths do), saying nothing of the caller. */
    @POST
    @Path("/throttled-lazy")
    @PermitAll
    public Response throttledLazy(@QueryParam("marker") String marker) {
        audit.recordThrottled("probe-lazy|" + marker,
                () -> io.portcullis.common.audit.AuditLog.event("api_key", "denied").detail("marker", marker));
        return Response.status(403).build();
    }

    /** Records what the throttles hold back, inside this (authenticated) request. */
    @POST
    @Path("/flush-throttled")
    @RolesAllowed("user")
    public Response flushThrottled() {
        audit.flushSuppressed();
        return Response.noContent().build();
    }

    public record Item(@NotBlank @Size(max = 20) String name, @Min(1) @Max(10) int count, List<String> tags) {
    }

    @GET
    @Path("/ok")
    @PermitAll
    public Map<String, Object> ok() {
        return Map.of("ok", true);
    }

    @GET
    @Path("/cacheable")
    @PermitAll
    public Response cacheable() {
        return Response.ok(Map.of("public", true)).header("Cache-Control", "public, max-age=60").build();
    }

    @POST
    @Path("/items")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Valid Item item) {
        return Response.status(201).entity(item).build();
    }

    @GET
    @Path("/package")
    @PermitAll
    public Map<String, String> pkg(@QueryParam("name") String name) {
        return Map.of("package", Validation.packageName("name", name));
    }

    @GET
    @Path("/boom")
    @PermitAll
    public String boom() {
        throw new IllegalStateException("SELECT password FROM users at /etc/portcullis/db.conf on db-internal-7:5432");
    }

    /** What a Hibernate Reactive query throws when PostgreSQL answers with {@code state}, wrapped twice. */
    @GET
    @Path("/database")
    @PermitAll
    public String database(@QueryParam("state") String state, @QueryParam("severity") String severity) {
        throw new java.util.concurrent.CompletionException(new RuntimeException("query failed on db-internal-7",
                new io.vertx.pgclient.PgException("terminating connection for role portcullis_app",
                        severity == null ? "ERROR" : severity, state,
                        "SELECT password FROM users")));
    }

    @GET
    @Path("/unreachable")
    @PermitAll
    public String unreachable() {
        throw new RuntimeException(new java.net.ConnectException("Connection refused: db-internal-7/10.0.0.7:5432"));
    }

    @GET
    @Path("/conflict")
    @PermitAll
    public String conflict() {
        throw ProblemException.conflict("The version does not match.");
    }

    @GET
    @Path("/limited")
    @PermitAll
    public String limited() {
        throw ProblemException.tooManyRequests("Slow down.", 7);
    }

    @GET
    @Path("/admin")
    @RolesAllowed("admin")
    public Map<String, Object> admin() {
        return Map.of("admin", true);
    }

    /** The same, on a path of the test's choosing (so that its audit events are its own). */
    @GET
    @Path("/admin/{marker}")
    @RolesAllowed("admin")
    public Map<String, Object> adminMarked(@jakarta.ws.rs.PathParam("marker") String marker) {
        return Map.of("admin", true);
    }

    @GET
    @Path("/unannotated")
    public Map<String, Object> unannotated() {
        return Map.of("reachable", true);
    }
}
