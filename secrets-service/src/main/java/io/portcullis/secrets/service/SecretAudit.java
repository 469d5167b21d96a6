package io.portcullis.secrets.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.problem.ProblemException;
import io.portcullis.secrets.domain.Caller;
import io.portcullis.secrets.domain.Capability;
import io.portcullis.secrets.domain.IntegrityException;
import io.portcullis.secrets.domain.Snapshot;

/**
 * Every secret operation's audit event and metric, in one place: who (filled in by {@link AuditLog}),
 * which operation, which path and version(s); never a value. Detail keys avoid the words the
 * redactor hides ({@code secret}, {@code token}, {@code kek}...).
 */
@ApplicationScoped
public class SecretAudit {

    private static final Logger LOG = Logger.getLogger(SecretAudit.class);

    private final AuditLog audit;
    private final SecretsMetrics metrics;

    public SecretAudit(AuditLog audit, SecretsMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    /** A {@code secret_access} success. */
    public void success(String operation, String path, Object version) {
        metrics.operation(operation, SecretsMetrics.SUCCESS);
        audit.record(AuditLog.event("secret_access", "success").detail("operation", operation).detail("path", path)
                .detail("version", version));
    }

    /** A {@code secret_access} success with one more detail. */
    public void success(String operation, String path, Object version, String key, Object value) {
        metrics.operation(operation, SecretsMetrics.SUCCESS);
        audit.record(AuditLog.event("secret_access", "success").detail("operation", operation).detail("path", path)
                .detail("version", version).detail(key, value));
    }

    /** A refused operation that is not an authorization matter (unknown share, for instance). */
    public void failure(String operation, String path, Object version, String reason) {
        metrics.operation(operation, SecretsMetrics.FAILURE);
        audit.recordThrottled("secret|" + operation + "|" + reason + "|" + AuditLog.currentActor() + "|" + path,
                AuditLog.event("secret_access", "failure").detail("operation", operation).detail("path", path)
                        .detail("version", version).detail("reason", reason));
    }

    /**
     * What to do with a failed operation: a 404 (nothing there, or deleted or destroyed) or a 409 (a
     * check-and-set that did not match) is a {@code secret_access} failure with reason
     * {@code not_found} or {@code conflict}; denials, tampering and bad input record their own events.
     */
    public java.util.function.Consumer<Throwable> refusals(String operation, String path, Object version) {
        return e -> {
            if (e instanceof io.portcullis.common.problem.ProblemException p && (p.status() == 404 || p.status() == 409)) {
                failure(operation, path, version, p.status() == 404 ? "not_found" : "conflict");
            }
        };
    }

    /**
     * Ends the request with 403 unless a policy grants {@code capability} on {@code path} to one of the
     * caller's groups; a refusal is an {@code authz_failure} event with path and version (at most one
     * per caller, operation and path per second; the next one counts those suppressed).
     */
    public void require(Snapshot snapshot, Caller caller, Capability capability, String operation, String path,
            Object version) {
        if (snapshot.policies().allows(caller.groups(), capability, path)) {
            return;
        }
        throw denied(caller, capability, operation, path, version);
    }

    public ProblemException denied(Caller caller, Capability capability, String operation, String path, Object version) {
        metrics.operation(operation, SecretsMetrics.DENIED);
        audit.recordThrottled("secret-denied|" + caller.actor() + "|" + operation + "|" + path,
                AuditLog.event("authz_failure", "denied").detail("reason", "no policy grants " + capability.wire())
                        .detail("operation", operation).detail("path", path).detail("version", version)
                        .detail("capability", capability.wire()));
        return ProblemException.forbidden("No policy grants you '" + capability.wire() + "' on this path.");
    }

    /**
     * A stored secret failed authentication: a {@code suspicious_activity} event (someone changed the
     * database, or a key is wrong), the decrypt-failure metric, a warning in the log, and a 500 problem
     * that says so without any data.
     */
    public ProblemException integrity(String operation, String path, int version, IntegrityException e) {
        metrics.operation(operation, SecretsMetrics.FAILURE);
        metrics.decryptFailure(e.reason());
        LOG.warnf("stored secret failed its integrity check (%s) [path=%s version=%d]", e.reason(),
                io.portcullis.common.validation.Validation.forLog(path, 200), version);
        audit.record(AuditLog.event("suspicious_activity", "failure").detail("reason", "integrity_check_failed")
                .detail("cause", e.reason()).detail("operation", operation).detail("path", path).detail("version", version));
        return new ProblemException(500, "integrity-failure", "Integrity check failed",
                "The stored secret failed its integrity check and was not returned; it has been reported. "
                        + "Quote the request id when reporting it.");
    }

    /**
     * A version sealed under a KEK this instance does not hold (made active on an instance that has it,
     * before this one was given it): a deployment gap, not tampering. 503 so that the client retries
     * (elsewhere), the decrypt-failure metric, a warning, and a {@code secret_access} failure with
     * reason {@code kek_unavailable} (at most one a second per operation and path, with a count).
     */
    public ProblemException kekUnavailable(String operation, String path, int version) {
        metrics.decryptFailure(IntegrityException.UNKNOWN_KEK);
        failure(operation, path, version, "kek_unavailable");
        LOG.warnf("a stored secret is sealed under a KEK this instance does not hold [path=%s version=%d]",
                io.portcullis.common.validation.Validation.forLog(path, 200), version);
        return ProblemException.unavailable("The key that protects this version is not loaded on this instance; "
                + "retry shortly.");
    }

    /** An administrative change (policy, key) as a {@code config_change} event. */
    public void configChange(String action, String key, Object value, String key2, Object value2) {
        metrics.operation(action, SecretsMetrics.SUCCESS);
        audit.record(AuditLog.event("config_change", "success").detail("action", action).detail(key, value)
                .detail(key2, value2));
    }
}
