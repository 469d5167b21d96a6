package io.portcullis.gateway.rest;

import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.Validation;
import io.portcullis.common.validation.ValidationException;
import io.portcullis.gateway.domain.ApiKey;
import io.portcullis.gateway.service.ApiKeys;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** API key administration, for the {@code admin} group. */
@Path("/gateway/keys")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class KeysResource {

    static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$");
    static final Pattern SCOPE = Pattern.compile("^/([a-z0-9._-]+(/[a-z0-9._-]+)*)?$");
    static final long MAX_REQUESTS_TIMES_WINDOW = 9_000_000_000L;

    public record RateLimitSpec(Integer requests, Integer windowSeconds) {
    }

    public record CreateKey(String name, List<String> scopes, String expiresAt, RateLimitSpec rateLimit) {
    }

    public record KeyView(String keyId, String name, List<String> scopes, Instant expiresAt, RateLimitSpec rateLimit,
            Instant createdAt, String createdBy, Instant revokedAt, String status) {
        static KeyView of(ApiKey k) {
            String status = k.revokedAt() != null ? "revoked"
                    : k.expiresAt() != null && !Instant.now().isBefore(k.expiresAt()) ? "expired" : "active";
            return new KeyView(k.keyId(), k.name(), k.scopes(), k.expiresAt(), k.rateLimitRequests() == null ? null
                    : new RateLimitSpec(k.rateLimitRequests(), k.rateLimitWindowSeconds()), k.createdAt(), k.createdBy(),
                    k.revokedAt(), status);
        }
    }

    public record CreatedKey(String keyId, String apiKey, String name, List<String> scopes, Instant expiresAt,
            RateLimitSpec rateLimit, Instant createdAt) {
    }

    private final ApiKeys keys;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    private final java.time.Duration cacheTtl;

    public KeysResource(ApiKeys keys, AuditLog audit, SecurityIdentity identity, io.portcullis.gateway.config.GatewayConfig config) {
        this.keys = keys;
        this.audit = audit;
        this.identity = identity;
        this.cacheTtl = config.keyCache().ttl();
    }

    /** 201 with the key, shown this once and never again. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(CreateKey body) {
        if (body == null) {
            throw new ValidationException("body", "a JSON body is required");
        }
        Validation.require("name", body.name(), NAME, 100, "letters, digits, spaces, '.', '_' and '-'");
        List<String> scopes = scopes(body.scopes());
        Instant expiresAt = null;
        if (body.expiresAt() != null) {
            try {
                expiresAt = Instant.parse(body.expiresAt());
            } catch (DateTimeParseException e) {
                throw new ValidationException("expiresAt", "expiresAt must be an ISO-8601 UTC instant");
            }
            if (!expiresAt.isAfter(Instant.now())) {
                throw new ValidationException("expiresAt", "expiresAt must be in the future");
            }
        }
        Integer requests = null;
        Integer window = null;
        if (body.rateLimit() != null) {
            requests = body.rateLimit().requests();
            window = body.rateLimit().windowSeconds();
            if (requests == null || requests < 1 || requests > 1_000_000) {
                throw new ValidationException("rateLimit.requests", "rateLimit.requests must be between 1 and 1000000");
            }
            if (window == null || window < 1 || window > 86_400) {
                throw new ValidationException("rateLimit.windowSeconds", "rateLimit.windowSeconds must be between 1 and 86400");
            }
            if ((long) requests * window > MAX_REQUESTS_TIMES_WINDOW) {
                throw new ValidationException("rateLimit", "rateLimit.requests x rateLimit.windowSeconds is too large");
            }
        }
        String actor = io.portcullis.common.audit.Actors.of(identity);
        return keys.create(body.name(), scopes, expiresAt, requests, window, actor).map(c -> {
            ApiKey k = c.key();
            audit.record(AuditLog.event("api_key", "success").detail("action", "created").detail("keyId", k.keyId())
                    .detail("name", k.name()).detail("scopes", String.join(",", k.scopes())));
            return Response.created(URI.create("/gateway/keys/" + k.keyId()))
                    .entity(new CreatedKey(k.keyId(), c.apiKey(), k.name(), k.scopes(), k.expiresAt(),
                            KeyView.of(k).rateLimit(), k.createdAt()))
                    .build();
        });
    }

    /** Every key, never a secret or a digest. */
    @GET
    public Uni<List<KeyView>> list() {
        return keys.list().map(list -> list.stream().map(KeyView::of).toList());
    }

    /** Revokes the key on every gateway within a second. */
    @DELETE
    @Path("/{keyId}")
    public Uni<Response> revoke(@PathParam("keyId") String keyId) {
        if (keyId == null || !keyId.matches("^[a-z0-9]{16}$")) {
            throw new ValidationException("keyId", "keyId must be 16 lower-case letters or digits");
        }
        return keys.revoke(keyId).map(r -> {
            if (!r.found()) {
                throw ProblemException.notFound("No such key.");
            }
            audit.record(AuditLog.event("api_key", "success").detail("action", "revoked").detail("keyId", keyId)
                    .detail("announced", r.announced()));
            if (!r.announced()) {
                throw ProblemException.unavailable("The key is revoked, but other gateways could not be told at once and "
                        + "may accept it for up to " + cacheTtl.toSeconds() + " s; send the revocation again.");
            }
            return Response.noContent().build();
        });
    }

    static List<String> scopes(List<String> raw) {
        if (raw == null || raw.isEmpty()) {
            throw new ValidationException("scopes", "scopes must list at least one path prefix");
        }
        if (raw.size() > 20) {
            throw new ValidationException("scopes", "scopes may list at most 20 path prefixes");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String s : raw) {
            Validation.require("scopes", s, SCOPE, 200, "path prefixes such as /secrets or /auth/login");
            for (String segment : s.split("/")) {
                if (segment.equals(".") || segment.equals("..")) {
                    throw new ValidationException("scopes", "scopes must not hold '.' or '..' segments");
                }
            }
            out.add(s);
        }
        return List.copyOf(out);
    }
}
