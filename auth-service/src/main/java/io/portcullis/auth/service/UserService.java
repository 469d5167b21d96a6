package io.portcullis.auth.service;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.auth.domain.User;
import io.portcullis.auth.repository.UserRepository;
import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Users: creation, groups, disabling, passwords. Granting {@code admin} is recorded as a
 * {@code privilege_escalation}; taking groups away, disabling a user and changing a password end the
 * user's (other) sessions at once, everywhere.
 */
@ApplicationScoped
public class UserService {

    /** The problem type of a wrong current password in a password change. */
    public static final String WRONG_PASSWORD = "wrong-password";

    /** Groups a person can hold; {@code service} is reserved for the suite's own services. */
    public static final Set<String> USER_GROUPS = Set.of("admin", "user", "auditor");

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final SessionService sessions;
    private final AuditLog audit;

    private final io.portcullis.auth.repository.LoginThrottle throttle;

    public UserService(UserRepository users, PasswordHasher hasher, PasswordPolicy policy, SessionService sessions,
            AuditLog audit, io.portcullis.auth.repository.LoginThrottle throttle) {
        this.throttle = throttle;
        this.users = users;
        this.hasher = hasher;
        this.policy = policy;
        this.sessions = sessions;
        this.audit = audit;
    }

    public static List<String> requireGroups(List<String> groups) {
        if (groups == null) {
            return List.of("user");
        }
        if (groups.size() > USER_GROUPS.size()) {
            throw new ValidationException("groups", "groups may hold at most " + USER_GROUPS.size() + " entries");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String g : groups) {
            if (g == null || !USER_GROUPS.contains(g)) {
                throw new ValidationException("groups", "groups may only contain admin, user and auditor");
            }
            out.add(g);
        }
        return new ArrayList<>(out);
    }

    /** Checks the password policy off the event loop (zxcvbn takes milliseconds). */
    public Uni<Void> checkPolicy(String field, String password, String username) {
        return Uni.createFrom().item(() -> {
            policy.check(field, password, username);
            return (Void) null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).emitOn(contextExecutor());
    }

    private static java.util.concurrent.Executor contextExecutor() {
        io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
        return ctx == null ? Runnable::run : command -> ctx.runOnContext(v -> command.run());
    }

    public Uni<User> create(String rawUsername, String password, List<String> rawGroups) {
        String username = Usernames.require("username", rawUsername);
        List<String> groups = requireGroups(rawGroups);
        return checkPolicy("password", password, username)
                .chain(() -> hasher.hash(password))
                .chain(hash -> persistNew(username, groups, hash))
                .invoke(u -> {
                    audit.record(AuditLog.event("config_change", "success").detail("action", "user_created")
                            .detail("userId", u.id()).detail("username", u.username()).detail("groups", String.join(",", groups)));
                    if (groups.contains("admin")) {
                        audit.record(AuditLog.event("privilege_escalation", "success").detail("userId", u.id())
                                .detail("username", u.username()).detail("granted", "admin"));
                    }
                });
    }

    @WithTransaction
    Uni<User> persistNew(String username, List<String> groups, String hash) {
        return users.findByUsername(username).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().failure(ProblemException.conflict("A user with this username exists."));
            }
            return users.persist(User.create(username, groups, hash));
        });
    }

    @WithSession
    public Uni<User> get(UUID id) {
        return users.findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("No such user."));
    }

    /**
     * The user's row, locked until the transaction ends: an admin's change then waits for a password
     * change or hash upgrade in flight (which lock it too) instead of failing on its version at commit.
     */
    Uni<User> getLocked(UUID id) {
        return users.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).onItem().ifNull()
                .failWith(() -> ProblemException.notFound("No such user."));
    }

    @WithSession
    public Uni<List<User>> list(int offset, int limit) {
        return users.findAll(io.quarkus.panache.common.Sort.by("username")).range(offset, offset + limit - 1).list();
    }

    public Uni<User> setGroups(UUID id, List<String> rawGroups) {
        List<String> groups = requireGroups(rawGroups);
        return updateGroups(id, groups).chain(change -> {
            User u = change.user();
            audit.record(AuditLog.event("config_change", "success").detail("action", "groups_changed").detail("userId", id)
                    .detail("username", u.username()).detail("from", String.join(",", change.before()))
                    .detail("to", String.join(",", groups)));
            if (groups.contains("admin") && !change.before().contains("admin")) {
                audit.record(AuditLog.event("privilege_escalation", "success").detail("userId", id)
                        .detail("username", u.username()).detail("granted", "admin"));
            }
            boolean lost = change.before().stream().anyMatch(g -> !groups.contains(g));
            return lost ? sessions.endAll(id, u.username(), null, "groups_reduced").replaceWith(u) : Uni.createFrom().item(u);
        });
    }

    record GroupChange(User user, List<String> before) {
    }

    @WithTransaction
    Uni<GroupChange> updateGroups(UUID id, List<String> groups) {
        return lockActiveAdmins().chain(admins -> getLocked(id).map(u -> {
            if (!groups.contains("admin")) {
                keepAnAdmin(admins, id);
            }
            List<String> before = u.groups();
            u.changeGroups(groups);
            return new GroupChange(u, before);
        }));
    }

    /**
     * The ids of the active admins, their rows locked until the transaction ends: of two admins
     * demoting or disabling each other at once, the second sees the first's change and is refused.
     */
    Uni<List<String>> lockActiveAdmins() {
        return users.getSession().chain(s -> s.createNativeQuery(
                "SELECT CAST(id AS text) FROM app_user WHERE status = 'active' AND 'admin' = ANY(groups) FOR UPDATE",
                String.class).getResultList());
    }

    /** 409 when {@code id} is the last active admin: nobody could administer the suite any more. */
    static void keepAnAdmin(List<String> activeAdmins, UUID id) {
        if (activeAdmins.size() == 1 && activeAdmins.contains(id.toString())) {
            throw ProblemException.conflict("This is the last active admin; make another user admin first.");
        }
    }

    /**
     * Lifts the account's lock at once and forgets its failures: the way out when someone keeps an
     * account locked by guessing (the lock never becomes permanent, but it can be renewed every 15
     * minutes). The per-address counters stay: they are the guesser's, not the account's.
     */
    public Uni<User> unlock(UUID id) {
        return get(id).call(u -> throttle.clearAccount(u.username())).invoke(u -> audit.record(
                AuditLog.event("config_change", "success").detail("action", "lockout_cleared").detail("userId", id)
                        .detail("username", u.username())));
    }

    public Uni<User> setEnabled(UUID id, boolean enabled) {
        return updateStatus(id, enabled).chain(u -> {
            // enabling an admin gives admin rights back: alert rules watch privilege_escalation, not config_change
            String type = enabled && u.groups().contains("admin") ? "privilege_escalation" : "config_change";
            audit.record(AuditLog.event(type, "success").detail("action", enabled ? "user_enabled" : "user_disabled")
                    .detail("userId", id).detail("username", u.username()).detail("groups", String.join(",", u.groups())));
            return enabled ? Uni.createFrom().item(u) : sessions.endAll(id, u.username(), null, "user_disabled").replaceWith(u);
        });
    }

    @WithTransaction
    Uni<User> updateStatus(UUID id, boolean enabled) {
        return lockActiveAdmins().chain(admins -> getLocked(id).invoke(u -> {
            if (enabled) {
                u.enable();
            } else {
                keepAnAdmin(admins, id);
                u.disable();
            }
        }));
    }

    /** Self-service: needs the current password; ends the user's other sessions. */
    public Uni<Void> changePassword(UUID id, String currentSid, String oldPassword, String newPassword) {
        if (oldPassword == null || oldPassword.isEmpty()) {
            throw new ValidationException("oldPassword", "oldPassword is required");
        }
        return get(id).chain(u -> hasher.verify(oldPassword, u.passwordHash()).chain(ok -> {
            if (!ok) {
                audit.record(AuditLog.event("auth_attempt", "failure").detail("action", "password_change")
                        .detail("username", u.username()).detail("reason", "wrong_current_password"));
                return Uni.createFrom().failure(new ProblemException(403, WRONG_PASSWORD, "Forbidden",
                        "The current password is wrong."));
            }
            return checkPolicy("newPassword", newPassword, u.username())
                    .chain(() -> hasher.hash(newPassword))
                    .chain(hash -> storeHash(id, u.passwordHash(), hash, true))
                    .chain(stored -> stored ? sessions.endAll(id, u.username(), currentSid, "password_changed")
                            : Uni.createFrom().failure(ProblemException.conflict(
                                    "The password was changed meanwhile; try again with the current one.")))
                    .invoke(() -> audit.record(AuditLog.event("config_change", "success").detail("action", "password_changed")
                            .detail("userId", id).detail("username", u.username())))
                    .replaceWithVoid();
        }));
    }

    /**
     * Replaces a stored hash (after a change, or transparently when it was made with weaker
     * parameters), but only if it is still {@code verified}, the hash the password was just checked
     * against; false when it changed meanwhile. The row is locked, so that of a password change and a
     * login's upgrade with the old password, or of two changes, the later never undoes the earlier.
     */
    @WithTransaction
    public Uni<Boolean> storeHash(UUID id, String verified, String hash, boolean byUser) {
        return users.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).map(u -> {
            if (u == null || !u.passwordHash().equals(verified)) {
                return false;
            }
            u.changePasswordHash(hash, byUser);
            return true;
        });
    }

    @WithSession
    public Uni<User> findByUsername(String username) {
        return users.findByUsername(username);
    }

    @WithSession
    public Uni<Long> count() {
        return users.count();
    }
}
