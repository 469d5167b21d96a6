package io.portcullis.auth.rest;

import java.time.Instant;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.portcullis.auth.service.ClientService;
import io.portcullis.auth.service.LoginService;
import io.portcullis.auth.service.SessionService;
import io.portcullis.auth.service.TokenIssuer;
import io.portcullis.common.validation.ValidationException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** Login, sessions, the client-credentials grant and the JWKS: the public face of auth-service. */
@Path("/auth")
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {

    public static final String SESSION_HEADER = "X-Session-Token";

    public record LoginRequest(String username, String password) {
    }

    public record LoginResponse(String sessionToken, String accessToken, String tokenType, long expiresIn,
            Instant sessionExpiresAt, Instant sessionAbsoluteExpiresAt) {
    }

    public record RefreshResponse(String accessToken, String tokenType, long expiresIn, Instant sessionExpiresAt) {
    }

    public record SessionView(String userId, String username, Instant expiresAt, Instant absoluteExpiresAt) {
    }

    public record TokenResponse(String access_token, String token_type, long expires_in) {
    }

    private final LoginService logins;
    private final SessionService sessions;
    private final ClientService clients;
    private final TokenIssuer issuer;

    public AuthResource(LoginService logins, SessionService sessions, ClientService clients, TokenIssuer issuer) {
        this.logins = logins;
        this.sessions = sessions;
        this.clients = clients;
        this.issuer = issuer;
    }

    /** One 401 for every failure; 429 with Retry-After while the account or the address is locked. */
    @POST
    @Path("/login")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<LoginResponse> login(LoginRequest body, @Context HttpServerRequest request) {
        if (body == null || body.username() == null) {
            throw new ValidationException("username", "username is required");
        }
        if (body.password() == null) {
            throw new ValidationException("password", "password is required");
        }
        return logins.login(body.username(), body.password(), address(request)).map(l -> new LoginResponse(l.sessionToken(),
                l.accessToken().value(), "Bearer", l.accessToken().expiresIn(), l.session().idleExpiresAt(),
                l.session().absoluteExpiresAt()));
    }

    /** OAuth2 client-credentials grant (RFC 6749, section 4.4) for the suite's services. */
    @POST
    @Path("/token")
    @PermitAll
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<TokenResponse> token(@FormParam("grant_type") String grantType, @FormParam("client_id") String clientId,
            @FormParam("client_secret") String clientSecret, @Context HttpServerRequest request) {
        return clients.token(grantType, clientId, clientSecret, address(request))
                .map(t -> new TokenResponse(t.value(), "Bearer", t.expiresIn()));
    }

    @GET
    @Path("/session")
    @PermitAll
    public Uni<SessionView> session(@HeaderParam(SESSION_HEADER) String token) {
        return logins.session(token).map(s -> new SessionView(s.userId().toString(), s.username(), s.idleExpiresAt(),
                s.absoluteExpiresAt()));
    }

    @POST
    @Path("/session/refresh")
    @PermitAll
    public Uni<RefreshResponse> refresh(@HeaderParam(SESSION_HEADER) String token) {
        return logins.refresh(token).map(l -> new RefreshResponse(l.accessToken().value(), "Bearer",
                l.accessToken().expiresIn(), l.session().idleExpiresAt()));
    }

    /** Ends the session everywhere; its access tokens stop working within a second. */
    @POST
    @Path("/logout")
    @PermitAll
    public Uni<Response> logout(@HeaderParam(SESSION_HEADER) String token) {
        return sessions.end(token).map(ended -> {
            if (!ended) {
                throw LoginService.invalidSession();
            }
            return Response.noContent().build();
        });
    }

    /** "Log out everywhere": ends every session of the session's user. */
    @POST
    @Path("/logout-all")
    @PermitAll
    public Uni<Response> logoutAll(@HeaderParam(SESSION_HEADER) String token) {
        return logins.session(token).chain(s -> sessions.endAll(s.userId(), s.username(), null, "logout_everywhere"))
                .map(n -> Response.noContent().build());
    }

    @GET
    @Path("/.well-known/jwks.json")
    @PermitAll
    public Response jwks() {
        return Response.ok(issuer.jwks()).header("Cache-Control", "public, max-age=300").build();
    }

    static String address(HttpServerRequest request) {
        return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    }

}
