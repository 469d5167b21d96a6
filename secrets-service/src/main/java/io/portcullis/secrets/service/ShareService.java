package io.portcullis.secrets.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;
import io.portcullis.secrets.config.SecretsConfig;
import io.portcullis.secrets.domain.Caller;
import io.portcullis.secrets.domain.Capability;
import io.portcullis.secrets.domain.SecretPath;
import io.portcullis.secrets.domain.SecretVersion;
import io.portcullis.secrets.domain.Share;
import io.portcullis.secrets.repository.SecretQueries;
import io.portcullis.secrets.repository.SecretVersionRepository;
import io.portcullis.secrets.repository.ShareRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * One-time, expiring shares, like Vault's response wrapping: a holder of {@code read} and
 * {@code share} on a path gets a random 256-bit token for one version, valid for at most an hour;
 * the first authenticated caller who presents it gets the value, and the share is gone. Only the
 * token's SHA-256 is stored. The share points at the version, so deleting or destroying it first
 * revokes the share.
 */
@ApplicationScoped
public class ShareService {

    public record Created(String token, String path, int version, Instant expiresAt) {
        @Override
        public String toString() {
            return "Created[path=" + path + ", version=" + version + "]";
        }
    }

    public static final String TOKEN_PREFIX = "pcs_";
    static final Pattern TOKEN = Pattern.compile("^pcs_[A-Za-z0-9_-]{43}$");

    private final ShareRepository shares;
    private final SecretVersionRepository versions;
    private final SecretQueries queries;
    private final Snapshots snapshots;
    private final SecretService secrets;
    private final SecretAudit audit;
    private final Pool pool;
    private final int maxTtl;
    private final int defaultTtl;
    private final SecureRandom random = new SecureRandom();

    public ShareService(ShareRepository shares, SecretVersionRepository versions, SecretQueries queries, Snapshots snapshots,
            SecretService secrets, SecretAudit audit, Pool pool, SecretsConfig config) {
        this.shares = shares;
        this.versions = versions;
        this.queries = queries;
        this.snapshots = snapshots;
        this.secrets = secrets;
        this.audit = audit;
        this.pool = pool;
        this.maxTtl = config.maxShareTtlSeconds();
        this.defaultTtl = Math.min(config.defaultShareTtlSeconds(), maxTtl);
    }

    public Uni<Created> create(Caller caller, String path, Integer version, Integer ttlSeconds) {
        SecretPath.require("path", path);
        SecretService.requireVersion("version", version);
        int ttl = ttlSeconds == null ? defaultTtl : ttlSeconds;
        if (ttl < 1 || ttl > maxTtl) {
            throw new ValidationException("ttlSeconds", "ttlSeconds must be between 1 and " + maxTtl);
        }
        return snapshots.fresh().chain(s -> {
            audit.require(s, caller, Capability.READ, "share", path, version);
            audit.require(s, caller, Capability.SHARE, "share", path, version);
            return store(path, version, ttl, caller.actor());
        }).onFailure().invoke(audit.refusals("share", path, version)).invoke(c -> audit.success("share", path, c.version(), "expiresAt", c.expiresAt()));
    }

    @WithTransaction
    Uni<Created> store(String path, Integer version, int ttl, String actor) {
        Uni<SecretVersion> target = version != null
                ? versions.findVersions(path, List.of(version)).map(l -> l.isEmpty() ? null : l.get(0))
                : versions.find("path = ?1 order by version desc", path).firstResult();
        return target.chain(v -> {
            if (v == null || v.isDestroyed() || v.getDeletedAt() != null) {
                throw ProblemException.notFound("No readable version to share at this path.");
            }
            byte[] raw = new byte[32];
            random.nextBytes(raw);
            String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            Instant now = Times.now();
            Instant expires = now.plusSeconds(ttl);
            return shares.persist(new Share(hash(token), path, v.getVersion(), actor, now, expires))
                    .map(x -> new Created(token, path, v.getVersion(), expires));
        });
    }

    /** The shared value, once (see {@link #redeem}): of two redeemers racing, only one gets it. */
    public Uni<SecretService.Value> consume(Caller caller, String token) {
        if (token == null || token.isEmpty()) {
            throw new ValidationException("token", "token is required");
        }
        if (!TOKEN.matcher(token).matches()) {
            throw new ValidationException("token", "token is not a share token");
        }
        return redeem(hash(token)).map(r -> {
            audit.success("share_read", r.value().path(), r.value().version(), "sharedBy", r.sharedBy());
            return r.value();
        });
    }

    record Redeemed(SecretService.Value value, String sharedBy) {
    }

    private static final String FIND = "SELECT path, version, created_by, expires_at > now() AS live FROM secret_share "
            + "WHERE token_hash = $1";
    private static final String TAKE = "DELETE FROM secret_share WHERE token_hash = $1 AND expires_at > now()";

    /**
     * Three statements, none inside another's transaction, so that a redemption never holds one pooled
     * connection while it waits for a second (twenty at once would otherwise take the whole pool and
     * wait for each other): find the share, read and decrypt its version, then take the share with one
     * {@code DELETE}. Only the redeemer whose {@code DELETE} removed the row gets the value; a redeemer
     * who gets no value (an integrity failure, a version deleted since, a KEK not loaded here) leaves the
     * share for a retry.
     */
    Uni<Redeemed> redeem(String hash) {
        return pool.preparedQuery(FIND).execute(io.vertx.mutiny.sqlclient.Tuple.of(hash)).chain(rows -> {
            io.vertx.mutiny.sqlclient.Row share = rows.iterator().hasNext() ? rows.iterator().next() : null;
            if (share == null || !share.getBoolean("live")) {
                audit.failure("share_read", null, null, share == null ? "unknown_or_used" : "expired");
                throw gone();
            }
            String path = share.getString("path");
            int version = share.getInteger("version");
            return queries.read(path, version)
                    .map(row -> secrets.open("share_read", path, version, row))
                    .onFailure().invoke(audit.refusals("share_read", path, version))
                    .chain(value -> pool.preparedQuery(TAKE).execute(io.vertx.mutiny.sqlclient.Tuple.of(hash)).map(taken -> {
                        if (taken.rowCount() != 1) { // another redeemer was first, or it expired meanwhile
                            audit.failure("share_read", path, version, "unknown_or_used");
                            throw gone();
                        }
                        return new Redeemed(value, share.getString("created_by"));
                    }));
        });
    }

    private static ProblemException gone() {
        return ProblemException.notFound("No such share: it was never issued, was already used, or has expired.");
    }

    /** Expired shares go within a minute even if nobody asks for them. */
    @Scheduled(every = "60s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeExpired() {
        return pool.preparedQuery("DELETE FROM secret_share WHERE expires_at < now()").execute().replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
