package io.portcullis.exec.rest;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.portcullis.common.audit.Actors;
import io.portcullis.common.http.ClientIp;
import io.portcullis.common.http.RequestIds;
import io.portcullis.exec.service.JobService;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/** The authenticated caller of a request, as the use cases need it. */
final class Callers {

    private Callers() {
    }

    static JobService.Caller of(SecurityIdentity identity, RoutingContext rc) {
        // the actor is derived from the verified token's sub: user:<id> or svc:<name>
        String actor = Actors.of(identity);
        if (!(identity.getPrincipal() instanceof JsonWebToken)) {
            throw new io.quarkus.security.UnauthorizedException();
        }
        return new JobService.Caller(actor, identity.getRoles(), RequestIds.of(rc), ClientIp.of(rc));
    }
}
