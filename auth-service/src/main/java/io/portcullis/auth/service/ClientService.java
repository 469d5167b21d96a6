package io.portcullis.auth.service;

import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.domain.ServiceClient;
import io.portcullis.auth.repository.ClientRepository;
import io.portcullis.auth.repository.LoginThrottle;
import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.problem.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/**
 * The OAuth2 client-credentials grant for the suite's own services. Secrets are stored hashed like
 * passwords; failures count against the client id and the address like logins; errors follow
 * RFC 6749 ({@code error}: {@code invalid_request}, {@code unsupported_grant_type},
 * {@code invalid_client}) inside our problem+json.
 */
@ApplicationScoped
public class ClientService {

    public static final Pattern CLIENT_ID = Pattern.compile("^[a-z0-9][a-z0-9-]{1,63}$");
    /** The shortest client secret accepted (a random 256-bit secret in base64 has 43 characters). */
    public static final int MIN_SECRET_LENGTH = 32;

    private final ClientRepository clients;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final TokenIssuer issuer;
    private final AuditLog audit;

    public ClientService(ClientRepository clients, PasswordHasher hasher, LoginThrottle throttle, TokenIssuer issuer,
            AuditLog audit) {
        this.clients = clients;
        this.hasher = hasher;
        this.throttle = throttle;
        this.issuer = issuer;
        this.audit = audit;
    }

    static ProblemException oauth(int status, String error, String detail) {
        return new ProblemException(status, error.replace('_', '-'), status == 401 ? "Authentication failed" : "Bad request",
                detail, null, status == 401 ? Map.of("WWW-Authenticate", "Basic realm=\"portcullis\"") : Map.of())
                .withExtensions(Map.of("error", error));
    }

    public Uni<TokenIssuer.Token> token(String grantType, String clientId, String secret, String address) {
        if (grantType == null || clientId == null || secret == null) {
            return Uni.createFrom().failure(oauth(400, "invalid_request", "grant_type, client_id and client_secret are required."));
        }
        if (!"client_credentials".equals(grantType)) {
            return Uni.createFrom().failure(oauth(400, "unsupported_grant_type", "Only client_credentials is supported."));
        }
        boolean plausible = CLIENT_ID.matcher(clientId).matches() && secret.length() <= 1024;
        // Guesses are limited per client address only: client ids are well known, and locking one
        // would let anyone cut a service off its tokens; its secret (MIN_SECRET_LENGTH characters at
        // least, random) is what cannot be guessed.
        return throttle.addressLock(address).chain(locked -> {
            if (!locked.isZero()) {
                audit.recordThrottled("token-locked|" + address, AuditLog.event("auth_attempt", "denied")
                        .detail("grant", "client_credentials").detail("clientId", plausible ? clientId : "(invalid)")
                        .detail("reason", "locked").detail("retryAfter", LoginService.seconds(locked)));
                return Uni.createFrom().failure(ProblemException.tooManyRequests("Too many failed attempts; retry later.",
                        LoginService.seconds(locked)));
            }
            Uni<ServiceClient> client = plausible ? find(clientId) : Uni.createFrom().nullItem();
            return client.chain(c -> (c != null ? hasher.verify(secret, c.secretHash()) : hasher.verifyDummy(plausible ? secret : ""))
                    .chain(ok -> {
                        if (c != null && ok && c.isActive()) {
                            audit.record(AuditLog.event("auth_attempt", "success").actor("svc:" + clientId)
                                    .detail("grant", "client_credentials"));
                            return Uni.createFrom().item(issuer.serviceToken(clientId));
                        }
                        audit.record(AuditLog.event("auth_attempt", "failure").detail("grant", "client_credentials")
                                .detail("clientId", plausible ? clientId : "(invalid)")
                                .detail("reason", c == null ? "unknown_client" : !ok ? "bad_secret" : "client_disabled"));
                        return throttle.recordAddressFailure(address).onItemOrFailure()
                                .transformToUni((f, e) -> Uni.createFrom().<TokenIssuer.Token>failure(
                                        oauth(401, "invalid_client", "Client authentication failed.")));
                    }));
        });
    }

    @WithSession
    Uni<ServiceClient> find(String clientId) {
        return clients.findById(clientId);
    }

    /** What a bootstrap file did to its client. */
    public enum Bootstrapped {
        CREATED, ROTATED, UNCHANGED
    }

    /**
     * Creates the client when it does not exist yet; when it exists and the file now holds another
     * secret, the stored hash is replaced, so that rotating a leaked secret is: change the file (the
     * Kubernetes Secret), restart. The old secret stops at once; service tokens already issued with it
     * end within their 15 minutes (they carry no session to revoke).
     */
    public Uni<Bootstrapped> bootstrap(String clientId, String secret) {
        return find(clientId).chain(existing -> {
            if (existing == null) {
                return hasher.hash(secret).chain(hash -> insertIfMissing(clientId, hash))
                        .map(created -> created ? Bootstrapped.CREATED : Bootstrapped.UNCHANGED);
            }
            String stored = existing.secretHash();
            return hasher.verify(secret, stored).chain(same -> same && !hasher.needsRehash(stored)
                    ? Uni.createFrom().item(Bootstrapped.UNCHANGED)
                    : hasher.hash(secret).chain(hash -> replaceHash(clientId, stored, hash))
                            .map(replaced -> replaced && !same ? Bootstrapped.ROTATED : Bootstrapped.UNCHANGED));
        });
    }

    @WithTransaction
    Uni<Boolean> insertIfMissing(String clientId, String hash) {
        return clients.findById(clientId).chain(existing -> existing != null ? Uni.createFrom().item(false)
                : clients.persist(ServiceClient.create(clientId, hash)).replaceWith(true));
    }

    /** Replaces the hash only if it is still the one that was checked (another instance may have rotated it). */
    @WithTransaction
    Uni<Boolean> replaceHash(String clientId, String expected, String hash) {
        return clients.findById(clientId).map(c -> {
            if (c == null || !expected.equals(c.secretHash())) {
                return false;
            }
            c.changeSecretHash(hash);
            return true;
        });
    }
}
