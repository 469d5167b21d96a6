package io.portcullis.secrets.rest;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.portcullis.secrets.repository.SecretQueries;
import io.portcullis.secrets.service.SecretService;
import io.portcullis.secrets.service.ShareService;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * KV v2: versioned secrets by path. Any authenticated caller may ask; the policies decide (deny by
 * default), in {@link SecretService}. A path is segments of {@code [A-Za-z0-9._-]} separated by
 * {@code /}; the words after it ({@code /metadata}, {@code /undelete}, {@code /destroy},
 * {@code /share}) are reserved as last segments.
 */
@Path("/secrets/v1")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class SecretsResource {

    @RegisterForReflection
    public record WriteRequest(String value, Integer cas) {
        @Override
        public String toString() {
            return "WriteRequest[cas=" + cas + "]";
        }
    }

    @RegisterForReflection
    public record WriteResponse(String path, int version, Instant createdAt) {
    }

    @RegisterForReflection
    public record SecretResponse(String path, int version, String value, Instant createdAt) {
        @Override
        public String toString() {
            return "SecretResponse[path=" + path + ", version=" + version + "]";
        }

        static SecretResponse of(SecretService.Value v) {
            return new SecretResponse(v.path(), v.version(), v.value(), v.createdAt());
        }
    }

    @RegisterForReflection
    public record VersionsRequest(List<Integer> versions) {
    }

    @RegisterForReflection
    public record VersionsResponse(String path, List<Integer> versions) {
    }

    @RegisterForReflection
    public record MetadataRequest(Integer maxVersions, Boolean casRequired) {
    }

    @RegisterForReflection
    public record VersionView(int version, String state, Instant createdAt, String createdBy, Instant deletedAt,
            Instant destroyedAt) {
        static VersionView of(SecretQueries.VersionState v) {
            String state = v.destroyedAt() != null ? "destroyed" : v.deletedAt() != null ? "deleted" : "active";
            return new VersionView(v.version(), state, v.createdAt(), v.createdBy(), v.deletedAt(), v.destroyedAt());
        }
    }

    @RegisterForReflection
    public record MetadataResponse(String path, int currentVersion, Integer oldestVersion, int maxVersions,
            boolean casRequired, Instant createdAt, Instant updatedAt, List<VersionView> versions) {
    }

    @RegisterForReflection
    public record SettingsResponse(String path, int currentVersion, int maxVersions, boolean casRequired,
            Instant updatedAt) {
    }

    @RegisterForReflection
    public record ListedPath(String path, int currentVersion, Instant updatedAt) {
    }

    @RegisterForReflection
    public record ListResponse(String prefix, List<ListedPath> secrets, String next) {
    }

    @RegisterForReflection
    public record ShareRequest(Integer version, Integer ttlSeconds) {
    }

    @RegisterForReflection
    public record ShareResponse(String token, String path, int version, Instant expiresAt) {
        @Override
        public String toString() {
            return "ShareResponse[path=" + path + ", version=" + version + "]";
        }
    }

    private final SecretService secrets;
    private final ShareService shares;
    private final SecurityIdentity identity;

    public SecretsResource(SecretService secrets, ShareService shares, SecurityIdentity identity) {
        this.secrets = secrets;
        this.shares = shares;
        this.identity = identity;
    }

    /** The current version, or {@code ?version=N}. Never cached anywhere ({@code Cache-Control: no-store}). */
    @GET
    @Path("{path: .+}")
    public Uni<Response> read(@PathParam("path") String path, @QueryParam("version") String version) {
        return secrets.read(Callers.of(identity), path, Params.optionalInt("version", version))
                .map(v -> NoStore.ok(SecretResponse.of(v)));
    }

    /** A new version; {@code cas} makes it conditional (409 when the current version differs). */
    @PUT
    @Path("{path: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<WriteResponse> write(@PathParam("path") String path, WriteRequest body) {
        WriteRequest b = Params.body(body);
        return secrets.write(Callers.of(identity), path, b.value(), b.cas())
                .map(w -> new WriteResponse(w.path(), w.version(), w.createdAt()));
    }

    /** Soft delete of {@code ?versions=1,2} (default: the current version); undelete restores. */
    @DELETE
    @Path("{path: .+}")
    public Uni<VersionsResponse> delete(@PathParam("path") String path, @QueryParam("versions") String versions) {
        return secrets.softDelete(Callers.of(identity), path, Params.versions("versions", versions))
                .map(v -> new VersionsResponse(path, v));
    }

    @POST
    @Path("{path: .+}/undelete")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<VersionsResponse> undelete(@PathParam("path") String path, VersionsRequest body) {
        return secrets.undelete(Callers.of(identity), path, Params.versions("versions", Params.body(body).versions()))
                .map(v -> new VersionsResponse(path, v));
    }

    /** Erases the versions' values and data keys for good. */
    @POST
    @Path("{path: .+}/destroy")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<VersionsResponse> destroy(@PathParam("path") String path, VersionsRequest body) {
        return secrets.destroy(Callers.of(identity), path, Params.versions("versions", Params.body(body).versions()))
                .map(v -> new VersionsResponse(path, v));
    }

    @GET
    @Path("{path: .+}/metadata")
    public Uni<MetadataResponse> metadata(@PathParam("path") String path) {
        return secrets.metadata(Callers.of(identity), path).map(m -> new MetadataResponse(m.path(), m.currentVersion(),
                m.versions().isEmpty() ? null : m.versions().get(0).version(), m.maxVersions(), m.casRequired(),
                m.createdAt(), m.updatedAt(), m.versions().stream().map(VersionView::of).toList()));
    }

    /** Sets {@code maxVersions} (a lower one removes the versions beyond it at once) and {@code casRequired}; creates the path if needed. */
    @PUT
    @Path("{path: .+}/metadata")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<SettingsResponse> configure(@PathParam("path") String path, MetadataRequest body) {
        MetadataRequest b = Params.body(body);
        return secrets.configure(Callers.of(identity), path, b.maxVersions(), b.casRequired())
                .map(m -> new SettingsResponse(m.getPath(), m.getCurrentVersion(), m.getMaxVersions(), m.isCasRequired(),
                        m.getUpdatedAt()));
    }

    /** Removes the path with every version, for good. */
    @DELETE
    @Path("{path: .+}/metadata")
    public Uni<Response> destroyAll(@PathParam("path") String path) {
        return secrets.destroyAll(Callers.of(identity), path).map(x -> Response.noContent().build());
    }

    /** A single-use token for one version, valid {@code ttlSeconds} (at most an hour). */
    @POST
    @Path("{path: .+}/share")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> share(@PathParam("path") String path, ShareRequest body) {
        ShareRequest b = body == null ? new ShareRequest(null, null) : body;
        return shares.create(Callers.of(identity), path, b.version(), b.ttlSeconds())
                .map(c -> NoStore.status(201, new ShareResponse(c.token(), c.path(), c.version(), c.expiresAt())));
    }

    /** Paths under {@code prefix} that the caller may list; never values. */
    @GET
    public Uni<ListResponse> list(@QueryParam("prefix") String prefix, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        return secrets.list(Callers.of(identity), prefix, after, Params.intOr("limit", limit, 100))
                .map(l -> new ListResponse(l.prefix(), l.paths().stream()
                        .map(p -> new ListedPath(p.path(), p.currentVersion(), p.updatedAt())).toList(), l.next()));
    }

}
