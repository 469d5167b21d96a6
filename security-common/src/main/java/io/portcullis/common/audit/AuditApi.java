package io.portcullis.common.audit;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** The audit-service's ingest endpoint, as the forwarder calls it. */
@RegisterRestClient(configKey = "portcullis-audit")
@Path("/audit")
interface AuditApi {

    /** {@code events} is a JSON array, already serialised. */
    @POST
    @Path("/events")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> send(@HeaderParam("Authorization") String authorization, String events);
}
