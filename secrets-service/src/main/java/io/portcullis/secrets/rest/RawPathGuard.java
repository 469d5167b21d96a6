package io.portcullis.secrets.rest;

import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.http.ClientIp;
import io.portcullis.common.http.RequestIds;
import io.portcullis.common.http.SecurityHeaders;
import io.portcullis.common.problem.Problem;
import io.portcullis.common.problem.Problems;
import io.portcullis.common.validation.Validation;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;

/**
 * Looks at the request path as it arrived, before Vert.x normalises it: the router resolves
 * {@code ..} segments and decodes percent-escapes, so {@code /secrets/v1/a/%2e%2e/b} would otherwise
 * reach the API as {@code b}. Under {@code /secrets/}, a path must already be in its plain form:
 * only {@code [A-Za-z0-9._/-]}, no empty, {@code .} or {@code ..} segment. Anything else is a 400
 * naming {@code path}, audited as a {@code validation_failure}, before routing.
 */
@ApplicationScoped
public class RawPathGuard {

    /** After {@link SecurityHeaders} (request id, size limit), before everything else. */
    static final int PRIORITY = SecurityHeaders.FILTER_PRIORITY - 1;
    private static final Pattern PLAIN = Pattern.compile("^/secrets(/[A-Za-z0-9._-]+)*/?$");

    private final AuditLog audit;

    public RawPathGuard(AuditLog audit) {
        this.audit = audit;
    }

    void register(@Observes Filters filters) {
        filters.register(this::check, PRIORITY);
    }

    void check(RoutingContext rc) {
        String raw = rc.request().path();
        if (raw == null || !raw.startsWith("/secrets") || isPlain(raw)) {
            rc.next();
            return;
        }
        audit.recordThrottled("raw-path|" + ClientIp.of(rc), AuditLog.event("validation_failure", "denied")
                .detail("field", "path").detail("method", rc.request().method().name())
                .detail("path", Validation.forLog(raw, 200)));
        Problems.end(rc, Problem.of(400, "validation", "Invalid input",
                "path may contain only letters, digits, '.', '-' and '_' in segments separated by '/', "
                        + "with no '.' or '..' segment", RequestIds.of(rc)).withField("path"));
    }

    static boolean isPlain(String raw) {
        if (!raw.startsWith("/secrets/") && !raw.equals("/secrets")) {
            return true; // another prefix entirely (e.g. /secretsX): not ours to judge
        }
        if (!PLAIN.matcher(raw).matches()) {
            return false;
        }
        for (String segment : raw.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
