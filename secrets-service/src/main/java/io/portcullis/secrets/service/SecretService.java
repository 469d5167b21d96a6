package io.portcullis.secrets.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;
import io.portcullis.secrets.config.SecretsConfig;
import io.portcullis.secrets.domain.Caller;
import io.portcullis.secrets.domain.Capability;
import io.portcullis.secrets.domain.IntegrityException;
import io.portcullis.secrets.domain.SecretMetadata;
import io.portcullis.secrets.domain.SecretPath;
import io.portcullis.secrets.domain.Snapshot;
import io.portcullis.secrets.repository.SecretQueries;
import io.smallrye.mutiny.Uni;

/**
 * The secret use cases: validate, authorize against the policies (deny by default), run, audit.
 * Reads go straight through the reactive client with the policy check riding on the same query; new
 * versions are written by {@link VersionWriter} (one conditional statement), the other changes run
 * in {@link SecretWrites}' transactions. Every outcome, including refusals, is audited
 * with path and version; no value ever reaches a log, an exception, an event or a metric.
 */
@ApplicationScoped
public class SecretService {

    /** A value as returned to the caller. */
    public record Value(String path, int version, String value, Instant createdAt) {
        @Override
        public String toString() {
            return "Value[path=" + path + ", version=" + version + "]";
        }
    }

    /** A path's metadata, without values. */
    public record Metadata(String path, int currentVersion, int maxVersions, boolean casRequired, Instant createdAt,
            Instant updatedAt, List<SecretQueries.VersionState> versions) {
    }

    public record Listing(String prefix, List<SecretQueries.ListedPath> paths, String next) {
    }

    public static final int MAX_VERSIONS_PER_REQUEST = 100;
    public static final int MAX_LIST = 1000;

    private final SecretQueries queries;
    private final SecretWrites writes;
    private final VersionWriter writer;
    private final Snapshots snapshots;
    private final EnvelopeCipher cipher;
    private final SecretAudit audit;
    private final int maxValueBytes;

    public SecretService(SecretQueries queries, SecretWrites writes, VersionWriter writer, Snapshots snapshots,
            EnvelopeCipher cipher, SecretAudit audit, SecretsConfig config) {
        this.queries = queries;
        this.writes = writes;
        this.writer = writer;
        this.snapshots = snapshots;
        this.cipher = cipher;
        this.audit = audit;
        this.maxValueBytes = config.maxValueBytes();
    }

    // ---- read ----

    /** The value of {@code version} (null: the current one) of {@code path}. */
    public Uni<Value> read(Caller caller, String path, Integer version) {
        SecretPath.require("path", path);
        requireVersion("version", version);
        return queries.read(path, version).chain(row -> {
            // the hot path: the cached snapshot is current, no further stage
            Snapshot cached = snapshots.cached(row.generation());
            return cached != null ? Uni.createFrom().item(readWith(cached, caller, path, version, row))
                    : snapshots.atLeast(row.generation()).map(s -> readWith(s, caller, path, version, row));
        }).onFailure().invoke(audit.refusals("read", path, version));
    }

    private Value readWith(Snapshot s, Caller caller, String path, Integer version, SecretQueries.VersionRow row) {
        audit.require(s, caller, Capability.READ, "read", path, version);
        Value v = open("read", path, version, row);
        audit.success("read", path, v.version());
        return v;
    }

    /** Opens a row read by {@link SecretQueries#read}: 404 when absent, deleted or destroyed. */
    Value open(String operation, String path, Integer asked, SecretQueries.VersionRow row) {
        if (row.version() == null) {
            throw ProblemException.notFound(asked == null ? "No secret at this path."
                    : "Version " + asked + " of this path does not exist.");
        }
        if (row.destroyedAt() != null) {
            throw ProblemException.notFound("Version " + row.version() + " of this path is destroyed.");
        }
        if (row.deletedAt() != null) {
            throw ProblemException.notFound("Version " + row.version() + " of this path is deleted.");
        }
        byte[] plain;
        try {
            plain = cipher.open(path, row.version(), row.envelope());
        } catch (IntegrityException e) {
            if (IntegrityException.UNKNOWN_KEK.equals(e.reason())) {
                throw audit.kekUnavailable(operation, path, row.version());
            }
            throw audit.integrity(operation, path, row.version(), e);
        }
        try {
            return new Value(path, row.version(), new String(plain, StandardCharsets.UTF_8), row.createdAt());
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    // ---- write ----

    public Uni<VersionWriter.Written> write(Caller caller, String path, String value, Integer cas) {
        SecretPath.require("path", path);
        if (value == null) {
            throw new ValidationException("value", "value is required");
        }
        if (cas != null && cas < 0) {
            throw new ValidationException("cas", "cas must be 0 or a version number");
        }
        byte[] plain = Utf8.encode("value", value, maxValueBytes);
        return writer.write(caller, path, plain, cas)
                .invoke(w -> audit.success("write", path, w.version()))
                .onFailure().invoke(audit.refusals("write", path, cas))
                .eventually(() -> Arrays.fill(plain, (byte) 0));
    }

    /**
     * The database refused a data key under a KEK that is no longer active (SQLSTATE PS001, see
     * V1__init.sql), as the reactive client reports it or as Hibernate converted it.
     */
    static boolean isStaleKek(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String state = c instanceof io.vertx.pgclient.PgException pg ? pg.getSqlState()
                    : c instanceof org.hibernate.JDBCException jdbc ? jdbc.getSQLState()
                    : c instanceof java.sql.SQLException sql ? sql.getSQLState() : null;
            if ("PS001".equals(state)) {
                return true;
            }
        }
        return false;
    }

    // ---- delete, undelete, destroy ----

    public Uni<List<Integer>> softDelete(Caller caller, String path, Set<Integer> versions) {
        SecretPath.require("path", path);
        return change(caller, Capability.DELETE, "delete", path, versions, () -> writes.softDelete(path, versions));
    }

    public Uni<List<Integer>> undelete(Caller caller, String path, Set<Integer> versions) {
        SecretPath.require("path", path);
        requireSome(versions);
        return change(caller, Capability.DELETE, "undelete", path, versions, () -> writes.undelete(path, versions));
    }

    public Uni<List<Integer>> destroy(Caller caller, String path, Set<Integer> versions) {
        SecretPath.require("path", path);
        requireSome(versions);
        return change(caller, Capability.DESTROY, "destroy", path, versions, () -> writes.destroy(path, versions));
    }

    public Uni<Integer> destroyAll(Caller caller, String path) {
        SecretPath.require("path", path);
        return snapshots.fresh().chain(s -> {
            audit.require(s, caller, Capability.DESTROY, "destroy_all", path, null);
            return writes.destroyAll(path);
        }).onFailure().invoke(audit.refusals("destroy_all", path, null)).invoke(current -> {
            writer.forget(path);
            audit.success("destroy_all", path, "1-" + current);
        });
    }

    private Uni<List<Integer>> change(Caller caller, Capability capability, String operation, String path,
            Set<Integer> versions, java.util.function.Supplier<Uni<List<Integer>>> action) {
        String asked = versions.isEmpty() ? null : join(versions);
        return snapshots.fresh().chain(s -> {
            audit.require(s, caller, capability, operation, path, asked);
            return action.get();
        }).onFailure().invoke(audit.refusals(operation, path, asked)).invoke(done -> audit.success(operation, path, join(done)));
    }

    // ---- metadata and listing ----

    public Uni<Metadata> metadata(Caller caller, String path) {
        SecretPath.require("path", path);
        return queries.metadata(path).chain(row -> snapshots.atLeast(row.generation()).map(s -> {
            audit.require(s, caller, Capability.LIST, "metadata", path, null);
            if (!row.exists()) {
                throw ProblemException.notFound("No secret at this path.");
            }
            return new Metadata(path, row.currentVersion(), row.maxVersions(), row.casRequired(), row.createdAt(),
                    row.updatedAt(), row.versions());
        })).onFailure().invoke(audit.refusals("metadata", path, null)).invoke(m -> audit.success("metadata", path, m.currentVersion()));
    }

    public Uni<SecretMetadata> configure(Caller caller, String path, Integer maxVersions, Boolean casRequired) {
        SecretPath.require("path", path);
        if (maxVersions != null && (maxVersions < 1 || maxVersions > 1000)) {
            throw new ValidationException("maxVersions", "maxVersions must be between 1 and 1000");
        }
        return snapshots.fresh().chain(s -> {
            audit.require(s, caller, Capability.WRITE, "configure", path, null);
            if (maxVersions != null) {
                // a lower max_versions erases the oldest versions for good, soft-deleted ones too: that is destroy's right
                audit.require(s, caller, Capability.DESTROY, "configure", path, null);
            }
            return writes.configure(path, maxVersions, casRequired);
        }).onFailure().invoke(audit.refusals("configure", path, null)).invoke(m -> audit.success("configure", path, m.getCurrentVersion(), "maxVersions", m.getMaxVersions()));
    }

    /** Paths under {@code prefix} that the caller may list, in byte order, paged by {@code after}. */
    public Uni<Listing> list(Caller caller, String prefixParam, String after, int limit) {
        String prefix = SecretPath.listingPrefix("prefix", prefixParam);
        String cursor = after == null || after.isEmpty() ? "" : SecretPath.listingPrefix("after", after);
        if (limit < 1 || limit > MAX_LIST) {
            throw new ValidationException("limit", "limit must be between 1 and " + MAX_LIST);
        }
        return snapshots.fresh().chain(s -> {
            Set<String> allowed = s.policies().listable(caller.groups(), prefix);
            if (allowed.isEmpty()) {
                throw audit.denied(caller, Capability.LIST, "list", prefix.isEmpty() ? "*" : prefix, null);
            }
            return queries.list(new ArrayList<>(allowed), cursor, limit);
        }).map(rows -> {
            List<SecretQueries.ListedPath> paths = rows.paths();
            String next = paths.size() == limit ? paths.get(paths.size() - 1).path() : null;
            return new Listing(prefix, paths, next);
        }).invoke(l -> audit.success("list", l.prefix().isEmpty() ? "*" : l.prefix(), null, "count", l.paths().size()));
    }

    // ---- helpers ----

    static void requireVersion(String field, Integer version) {
        if (version != null && version < 1) {
            throw new ValidationException(field, field + " must be a version number (1 or more)");
        }
    }

    private static void requireSome(Set<Integer> versions) {
        if (versions.isEmpty()) {
            throw new ValidationException("versions", "versions must name at least one version");
        }
    }

    static String join(java.util.Collection<Integer> versions) {
        StringBuilder sb = new StringBuilder();
        for (Integer v : new java.util.TreeSet<>(versions)) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(v);
        }
        return sb.toString();
    }
}
