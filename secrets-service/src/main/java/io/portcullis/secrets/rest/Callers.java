package io.portcullis.secrets.rest;

import io.portcullis.common.audit.Actors;
import io.portcullis.secrets.domain.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/** The caller of a request, as policies and the audit log see it. */
final class Callers {

    private Callers() {
    }

    static Caller of(SecurityIdentity identity) {
        return new Caller(Actors.of(identity), identity.getRoles());
    }
}
