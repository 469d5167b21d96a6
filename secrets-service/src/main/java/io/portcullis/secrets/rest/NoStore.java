package io.portcullis.secrets.rest;

import jakarta.ws.rs.core.Response;

/** Responses that carry a value or a share token: never stored by any cache. */
final class NoStore {

    private NoStore() {
    }

    static Response ok(Object entity) {
        return status(200, entity);
    }

    static Response status(int status, Object entity) {
        return Response.status(status).entity(entity).header("Cache-Control", "no-store").header("Pragma", "no-cache")
                .build();
    }
}
