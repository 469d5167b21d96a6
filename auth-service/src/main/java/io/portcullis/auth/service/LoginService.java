package io.portcullis.auth.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.auth.config.LockoutConfig;
import io.portcullis.auth.domain.User;
import io.portcullis.auth.repository.LoginThrottle;
import io.portcullis.auth.repository.SessionStore;
import io.portcullis.common.audit.AuditEvent;
import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * Login, session lookup and refresh.
 *
 * <p>Every failed login (unknown user, wrong password, disabled user, malformed name) ends in the
 * same 401 body after the same work (a hash is verified even for an unknown user), so that neither
 * the answer nor its timing tells whether an account exists. Failures count per account and per
 * client address; a locked account or address gets 429 with {@code Retry-After} without any password
 * being checked. A success resets the account's count, upgrades a weak stored hash, and opens a new
 * session with a new token (so a session can never be fixed in advance).
 */
@ApplicationScoped
public class LoginService {

    private static final Logger LOG = Logger.getLogger(LoginService.class);
    static final int MAX_PASSWORD_INPUT = 1024;

    /** What a successful login or refresh returns. */
    public record Login(String sessionToken, TokenIssuer.Token accessToken, SessionStore.Session session) {
    }

    private final UserService users;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final SessionStore sessions;
    private final TokenIssuer issuer;
    private final AuditLog audit;
    private final LockoutConfig lockout;
    private final MeterRegistry registry;

    public LoginService(UserService users, PasswordHasher hasher, LoginThrottle throttle, SessionStore sessions,
            TokenIssuer issuer, AuditLog audit, LockoutConfig lockout, MeterRegistry registry) {
        this.users = users;
        this.hasher = hasher;
        this.throttle = throttle;
        this.sessions = sessions;
        this.issuer = issuer;
        this.audit = audit;
        this.lockout = lockout;
        this.registry = registry;
    }

    public static ProblemException invalidCredentials() {
        return new ProblemException(401, "invalid-credentials", "Authentication failed", "Invalid username or password.");
    }

    /**
     * One admitted verification of a password ({@link LoginThrottle#admit}); its place among the
     * account's verifications in flight is given back exactly once, whatever the outcome.
     */
    public static final class Ticket {
        final String name;
        /** The user's session epoch when admitted; null when unknown (Redis down, failing open). */
        final Long epoch;
        private final java.util.concurrent.atomic.AtomicBoolean open;

        Ticket(String name, boolean held, Long epoch) {
            this.name = name;
            this.epoch = epoch;
            this.open = new java.util.concurrent.atomic.AtomicBoolean(held);
        }

        /** True the first time only, and only when a place was taken in Redis. */
        boolean giveBack() {
            return open.compareAndSet(true, false);
        }
    }

    public Uni<Login> login(String rawUsername, String password, String address) {
        String username = Usernames.canonicalOrNull(rawUsername);
        String throttleName = username != null ? username : "~invalid";
        String pw = password == null ? "" : password;
        boolean plausible = username != null && !pw.isEmpty() && pw.length() <= MAX_PASSWORD_INPUT;
        return admit(throttleName, username, address, "login").chain(ticket -> {
            Uni<User> user = plausible ? users.findByUsername(username) : Uni.createFrom().nullItem();
            return user.chain(u -> {
                Uni<Boolean> match = u != null ? hasher.verify(pw, u.passwordHash())
                        : hasher.verifyDummy(pw.length() <= MAX_PASSWORD_INPUT ? pw : pw.substring(0, MAX_PASSWORD_INPUT));
                return match.chain(ok -> {
                    if (u != null && ok && u.isActive()) {
                        return succeed(u, ticket, pw);
                    }
                    String reason = !plausible ? "malformed" : u == null ? "unknown_user" : !ok ? "bad_password" : "disabled";
                    return fail(ticket, username, address, reason);
                });
            }).onFailure(e -> e instanceof ProblemException p && p.status() == 503).invoke(() -> {
                // the hashing queue is full (a storm): counted, and audited once a second per account with a count
                count("hashing_busy");
                audit.recordThrottled("hashing-busy|" + throttleName, AuditLog.event("auth_attempt", "denied")
                        .detail("username", username).detail("reason", "hashing_busy"));
            }).onTermination().call((item, failure, cancelled) -> release(ticket)); // an error, or the client gone
        });
    }

    /**
     * Whether a password may be checked now: 429 with the remaining lock while the account or the
     * address is locked, and 429 (retry in a second) while the account already has as many
     * verifications in flight as it has failures left, so that parallel guesses cannot overtake its
     * lock. Redis down: 503, or through when {@code fail-open}.
     */
    private Uni<Ticket> admit(String name, String username, String address, String action) {
        if (!lockout.enabled()) {
            return throttle.epoch(name).map(epoch -> new Ticket(name, false, epoch));
        }
        return throttle.admit(name, address).map(a -> {
            if (a.admitted()) {
                return new Ticket(name, true, a.epoch());
            }
            if ("login".equals(action)) {
                count(a.locked().isZero() ? "busy" : "locked");
            }
            AuditEvent.Builder denied = AuditLog.event("auth_attempt", "denied").detail("username", username);
            if (!"login".equals(action)) {
                denied.detail("action", action);
            }
            if (!a.locked().isZero()) {
                audit.record(denied.detail("reason", "locked").detail("retryAfter", seconds(a.locked())));
                throw ProblemException.tooManyRequests("Too many failed attempts; retry later.", seconds(a.locked()));
            }
            audit.recordThrottled("in-flight|" + name, denied.detail("reason", "attempts_in_flight"));
            throw ProblemException.tooManyRequests("Too many attempts at once for this account; retry shortly.", 1);
        }).onFailure(e -> !(e instanceof ProblemException)).recoverWithUni(e -> {
            if (lockout.failOpen()) {
                LOG.warnf("lockout counters unreachable (%s); failing open as configured", e.getMessage());
                return Uni.createFrom().item(new Ticket(name, false, null));
            }
            LOG.warnf("lockout counters unreachable (%s); refusing logins as configured (fail closed)", e.getMessage());
            return Uni.createFrom().failure(ProblemException.unavailable("Login is unavailable; retry shortly."));
        });
    }

    /** Gives an admission back when the password was found neither right nor wrong (an error came first). */
    public Uni<Void> release(Ticket ticket) {
        return ticket.giveBack() ? throttle.release(ticket.name).onFailure().recoverWithNull().replaceWithVoid()
                : Uni.createFrom().voidItem();
    }

    private Uni<Login> succeed(User u, Ticket ticket, String password) {
        Uni<Void> reset = ticket.giveBack() ? throttle.recordSuccess(ticket.name).onFailure().recoverWithNull().replaceWithVoid()
                : Uni.createFrom().voidItem();
        Uni<Void> upgrade = hasher.needsRehash(u.passwordHash())
                ? hasher.hash(password).chain(h -> users.storeHash(u.id(), u.passwordHash(), h, false))
                        .invoke(upgraded -> {
                            if (upgraded) { // not when the password changed while this login hashed
                                audit.record(AuditLog.event("config_change", "success").detail("action", "password_hash_upgraded")
                                        .detail("userId", u.id()).detail("username", u.username()));
                            }
                        })
                        .onFailure().invoke(e -> LOG.warnf("could not upgrade the password hash of %s: %s", u.id(), e.getMessage()))
                        .onFailure().recoverWithNull().replaceWithVoid()
                : Uni.createFrom().voidItem();
        return reset.chain(() -> upgrade).chain(() -> sessions.create(u.id(), u.username()))
                .call(created -> stillCurrent(ticket, u, created)).map(created -> {
            TokenIssuer.Token token = issuer.userToken(u.id(), u.username(), u.groups(), created.session().sid());
            count("success");
            audit.record(AuditLog.event("auth_attempt", "success").actor("user:" + u.id()).detail("username", u.username()));
            audit.record(AuditLog.event("session", "success").actor("user:" + u.id()).detail("action", "created")
                    .detail("sid", created.session().sid()));
            return new Login(created.token(), token, created.session());
        });
    }

    /**
     * A session opened by a login that was admitted before the user's sessions were all ended (the
     * user disabled or demoted, the password changed, logged out everywhere, while this login hashed)
     * is dropped at once, before any token of it exists: 409, log in again.
     */
    private Uni<Void> stillCurrent(Ticket ticket, User u, SessionStore.Created created) {
        if (ticket.epoch == null) {
            return Uni.createFrom().voidItem();
        }
        return throttle.epoch(ticket.name).chain(now -> {
            if (now.longValue() == ticket.epoch.longValue()) {
                return Uni.createFrom().voidItem();
            }
            return sessions.delete(created.token()).chain(() -> {
                audit.record(AuditLog.event("auth_attempt", "failure").actor("user:" + u.id()).detail("username", u.username())
                        .detail("reason", "account_changed_during_login"));
                return Uni.createFrom().failure(ProblemException.conflict(
                        "The account changed while logging in; log in again."));
            });
        });
    }

    private Uni<Login> fail(Ticket ticket, String username, String address, String reason) {
        count("failure");
        audit.record(AuditLog.event("auth_attempt", "failure").detail("username", username == null ? "(invalid)" : username)
                .detail("reason", reason));
        return countFailure(ticket, username, address).chain(() -> Uni.createFrom().failure(invalidCredentials()));
    }

    /**
     * Outside login, a password given to prove who one is (the current password of a password change)
     * is guarded by the same lockout and the same admission: 429 with Retry-After while the account or
     * the address is locked or the account has too many checks in flight. Give the ticket back with
     * {@link #recordFailedProof} or {@link #release}.
     */
    public Uni<Ticket> admitProof(String username, String address, String action) {
        return admit(username, username, address, action);
    }

    /** A wrong password given outside login counts toward the same lockout as a failed login. */
    public Uni<Void> recordFailedProof(Ticket ticket, String address) {
        return countFailure(ticket, ticket.name, address);
    }

    /**
     * Counts a failure on the account (giving its admission back) and the address; a lock it starts
     * is counted and audited. Never fails.
     */
    private Uni<Void> countFailure(Ticket ticket, String username, String address) {
        if (!lockout.enabled()) {
            return Uni.createFrom().voidItem();
        }
        ticket.giveBack(); // the failure script gives the place back itself
        return throttle.recordFailure(ticket.name, address)
                .invoke(f -> {
                    if (f.lockedNow()) {
                        registry.counter("portcullis.auth.lockouts").increment();
                        audit.record(AuditLog.event("suspicious_activity", "denied").detail("reason", "login_lockout")
                                .detail("username", username).detail("accountLockSeconds", seconds(f.accountLock()))
                                .detail("addressLockSeconds", seconds(f.addressLock())));
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("could not record a login failure: %s", e.getMessage()))
                .onItemOrFailure().transformToUni((f, e) -> Uni.createFrom().voidItem());
    }

    /** The live session of {@code token}, its idle expiry pushed back. */
    public Uni<SessionStore.Session> session(String token) {
        return sessions.find(token, true).map(s -> s.orElseThrow(LoginService::invalidSession));
    }

    /** A fresh access token for the session of {@code token}, with the user's current groups. */
    public Uni<Login> refresh(String token) {
        return session(token).chain(s -> users.findByUsername(s.username()).chain(u -> {
            if (u == null || !u.isActive() || !u.id().equals(s.userId())) {
                return sessions.delete(token).chain(x -> Uni.createFrom().<Login>failure(invalidSession()));
            }
            TokenIssuer.Token t = issuer.userToken(u.id(), u.username(), u.groups(), s.sid());
            audit.record(AuditLog.event("session", "success").actor("user:" + u.id()).detail("action", "refreshed")
                    .detail("sid", s.sid()));
            return Uni.createFrom().item(new Login(null, t, s));
        }));
    }

    public static ProblemException invalidSession() {
        return new ProblemException(401, "invalid-session", "Authentication required", "No such session, or it has ended.",
                null, Map.of());
    }

    private void count(String outcome) {
        registry.counter("portcullis.auth.login", "outcome", outcome).increment();
    }

    static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

}
