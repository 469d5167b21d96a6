package io.portcullis.auth.rest;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.portcullis.auth.domain.User;
import io.portcullis.auth.service.SessionService;
import io.portcullis.auth.service.UserService;
import io.portcullis.common.validation.ValidationException;
import io.smallrye.mutiny.Uni;

/** User administration, for the {@code admin} group only. */
@Path("/auth/users")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    public record CreateUser(String username, String password, List<String> groups) {
    }

    public record Groups(List<String> groups) {
    }

    public record UserView(String id, String username, List<String> groups, String status, Instant createdAt,
            Instant updatedAt, Instant passwordChangedAt) {
        static UserView of(User u) {
            return new UserView(u.id().toString(), u.username(), u.groups(), u.status(), u.createdAt(), u.updatedAt(),
                    u.passwordChangedAt());
        }
    }

    private final UserService users;
    private final SessionService sessions;

    public UserResource(UserService users, SessionService sessions) {
        this.users = users;
        this.sessions = sessions;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(CreateUser body) {
        if (body == null) {
            throw new ValidationException("body", "a JSON body is required");
        }
        return users.create(body.username(), body.password(), body.groups())
                .map(u -> Response.created(URI.create("/auth/users/" + u.id())).entity(UserView.of(u)).build());
    }

    @GET
    public Uni<List<UserView>> list(@QueryParam("offset") @DefaultValue("0") int offset,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (offset < 0) {
            throw new ValidationException("offset", "offset must not be negative");
        }
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("limit", "limit must be between 1 and 1000");
        }
        return users.list(offset, limit).map(list -> list.stream().map(UserView::of).toList());
    }

    @GET
    @Path("/{id}")
    public Uni<UserView> get(@PathParam("id") String id) {
        return users.get(uuid(id)).map(UserView::of);
    }

    @PUT
    @Path("/{id}/groups")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<UserView> groups(@PathParam("id") String id, Groups body) {
        if (body == null || body.groups() == null) {
            throw new ValidationException("groups", "groups is required");
        }
        return users.setGroups(uuid(id), body.groups()).map(UserView::of);
    }

    @POST
    @Path("/{id}/disable")
    public Uni<UserView> disable(@PathParam("id") String id) {
        return users.setEnabled(uuid(id), false).map(UserView::of);
    }

    @POST
    @Path("/{id}/enable")
    public Uni<UserView> enable(@PathParam("id") String id) {
        return users.setEnabled(uuid(id), true).map(UserView::of);
    }

    /** Lifts the user's lockout at once (see {@link UserService#unlock}). */
    @POST
    @Path("/{id}/unlock")
    public Uni<Response> unlock(@PathParam("id") String id) {
        return users.unlock(uuid(id)).map(u -> Response.noContent().build());
    }

    /** Ends every session of the user, everywhere. */
    @POST
    @Path("/{id}/logout-all")
    public Uni<Response> logoutAll(@PathParam("id") String id) {
        UUID userId = uuid(id);
        return users.get(userId).chain(u -> sessions.endAll(userId, u.username(), null, "admin_logout_all"))
                .map(n -> Response.noContent().build());
    }

    static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ValidationException("id", "id must be a UUID");
        }
    }
}
