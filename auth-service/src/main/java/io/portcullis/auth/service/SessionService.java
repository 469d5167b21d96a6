package io.portcullis.auth.service;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.repository.SessionStore;
import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.jwt.RevocationList;
import io.smallrye.mutiny.Uni;

/**
 * Ending sessions: the session goes from Redis and its {@code sid} onto the revocation list (for as
 * long as a token of it could still be valid), which every service hears within a second. Every end
 * is audited as a {@code session} event.
 */
@ApplicationScoped
public class SessionService {

    private final SessionStore store;
    private final RevocationList revocations;
    private final AuditLog audit;

    public SessionService(SessionStore store, RevocationList revocations, AuditLog audit) {
        this.store = store;
        this.revocations = revocations;
        this.audit = audit;
    }

    /** Ends one session; false when the token named none. */
    public Uni<Boolean> end(String token) {
        return store.delete(token).chain(sid -> {
            if (sid.isEmpty()) {
                return Uni.createFrom().item(false);
            }
            return revocations.revoke(List.of(sid.get()), TokenIssuer.MAX_LIFETIME)
                    .invoke(() -> audit.record(AuditLog.event("session", "success").detail("action", "logout")
                            .detail("sid", sid.get())))
                    .replaceWith(true);
        });
    }

    /** Ends all sessions of a user but {@code keepSid} (may be null); how many ended. */
    public Uni<Integer> endAll(UUID userId, String keepSid, String reason) {
        return store.deleteAll(userId, keepSid).chain(sids -> revocations.revoke(sids, TokenIssuer.MAX_LIFETIME)
                .invoke(() -> audit.record(AuditLog.event("session", "success").detail("action", "end_all")
                        .detail("userId", userId).detail("reason", reason).detail("count", sids.size())))
                .replaceWith(sids.size()));
    }
}
