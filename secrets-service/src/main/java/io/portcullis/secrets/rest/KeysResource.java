package io.portcullis.secrets.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.portcullis.secrets.service.KeyService;
import io.smallrye.mutiny.Uni;

/** Key-encryption keys: ids and states only, never key material. Admins only. */
@Path("/secrets/keys")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class KeysResource {

    private final KeyService keys;

    public KeysResource(KeyService keys) {
        this.keys = keys;
    }

    @GET
    public Uni<List<KeyService.View>> list() {
        return keys.list();
    }

    @POST
    @Path("/{id}/activate")
    public Uni<KeyService.View> activate(@PathParam("id") String id) {
        return keys.activate(id);
    }

    /** Moves every data key to the active KEK; no value is decrypted. */
    @POST
    @Path("/rewrap")
    public Uni<KeyService.RewrapResult> rewrap() {
        return keys.rewrap();
    }

    @POST
    @Path("/{id}/retire")
    public Uni<KeyService.View> retire(@PathParam("id") String id) {
        return keys.retire(id);
    }
}
