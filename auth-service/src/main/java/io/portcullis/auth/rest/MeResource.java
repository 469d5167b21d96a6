package io.portcullis.auth.rest;

import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.portcullis.auth.service.LoginService;
import io.portcullis.auth.service.UserService;
import io.portcullis.auth.service.Usernames;
import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** The logged-in user's own account (a user token, not a service token). */
@Path("/auth/me")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {

    public record PasswordChange(String oldPassword, String newPassword) {
    }

    private final JsonWebToken jwt;
    private final UserService users;
    private final LoginService logins;

    public MeResource(JsonWebToken jwt, UserService users, LoginService logins) {
        this.jwt = jwt;
        this.users = users;
        this.logins = logins;
    }

    @GET
    public Uni<UserResource.UserView> me() {
        return users.get(self()).map(UserResource.UserView::of);
    }

    /** Needs the current password; ends the user's other sessions. */
    @PUT
    @Path("/password")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changePassword(PasswordChange body, @Context HttpServerRequest request) {
        if (body == null) {
            throw new ValidationException("body", "a JSON body is required");
        }
        UUID self = self();
        // the current password is a password guess like a login's: the same lockout counts and stops it
        String name = Usernames.canonicalOrNull(jwt.getName());
        String throttleName = name != null ? name : self.toString();
        String address = AuthResource.address(request);
        return logins.admitProof(throttleName, address, "password_change")
                .chain(ticket -> users.changePassword(self, jwt.getClaim("sid"), body.oldPassword(), body.newPassword())
                        .onFailure(e -> e instanceof ProblemException p && UserService.WRONG_PASSWORD.equals(p.slug()))
                        .call(() -> logins.recordFailedProof(ticket, address))
                        .onTermination().call((item, failure, cancelled) -> logins.release(ticket)))
                .map(x -> Response.noContent().build());
    }

    private UUID self() {
        String sub = jwt.getSubject();
        if (sub == null || sub.startsWith("svc:")) {
            throw ProblemException.forbidden("Only a user's own token can do this.");
        }
        try {
            return UUID.fromString(sub);
        } catch (IllegalArgumentException e) {
            throw ProblemException.forbidden("Only a user's own token can do this.");
        }
    }
}
