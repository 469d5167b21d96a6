package io.portcullis.common.audit;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * The {@code actor} of an audit event: {@code user:<id>} for a user token (whose {@code sub} is the
 * user id), {@code svc:<name>} for a service token (whose {@code sub} already is {@code svc:<name>}),
 * {@code anonymous} without a token.
 */
public final class Actors {

    private Actors() {
    }

    public static String of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return AuditEvent.ANONYMOUS;
        }
        String subject = identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null
                ? jwt.getSubject()
                : identity.getPrincipal().getName();
        return ofSubject(subject);
    }

    public static String ofSubject(String subject) {
        return subject.startsWith("svc:") ? subject : "user:" + subject;
    }
}
