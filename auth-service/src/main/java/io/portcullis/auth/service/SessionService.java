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
    private final io.portcullis.auth.repository.LoginThrottle throttle;
    private final RevocationList revocations;
    private final AuditLog audit;

    public SessionService(SessionStore store, RevocationList revocations, AuditLog audit,
            io.portcullis.auth.repository.LoginThrottle throttle) {
        this.store = store;
        this.throttle = throttle;
        this.revocations = revocations;
        this.audit = audit;
    }

    /**
     * Ends one session; false when the token named none. The sid goes on the revocation list before
     * the session goes: if Redis fails in between, the session is still there and logging out again
     * finishes the job, rather than a session gone whose tokens stay valid.
     */
    public Uni<Boolean> end(String token) {
        return store.find(token, false).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(false);
            }
            SessionStore.Session session = found.get();
            String sid = session.sid();
            return revocations.revoke(List.of(sid), TokenIssuer.MAX_LIFETIME)
                    .chain(() -> store.delete(token))
                    .invoke(() -> audit.record(AuditLog.event("session", "success").actor("user:" + session.userId())
                            .detail("action", "logout").detail("sid", sid).detail("username", session.username())))
                    .replaceWith(true);
        });
    }

    /**
     * Ends all sessions of a user but {@code keepSid} (may be null); how many ended. The user's
     * session epoch moves first (a login in flight then drops the session it opens, see
     * {@link LoginService}); the sessions are revoked before they are deleted, as in {@link #end}.
     */
    public Uni<Integer> endAll(UUID userId, String username, String keepSid, String reason) {
        // first, so that a login of this user still hashing cannot open a session that outlives this
        return throttle.bumpEpoch(username)
                .chain(() -> store.sids(userId, keepSid))
                .chain(known -> revocations.revoke(known, TokenIssuer.MAX_LIFETIME)
                        .chain(() -> store.deleteAll(userId, keepSid))
                        .chain(ended -> revocations.revoke(ended.stream().filter(sid -> !known.contains(sid)).toList(),
                                TokenIssuer.MAX_LIFETIME).replaceWith(ended)))
                .invoke(ended -> audit.record(AuditLog.event("session", "success").detail("action", "end_all")
                        .detail("userId", userId).detail("reason", reason).detail("count", ended.size())))
                .map(List::size);
    }
}
