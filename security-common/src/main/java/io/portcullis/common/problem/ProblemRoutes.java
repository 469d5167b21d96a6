package io.portcullis.common.problem;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.portcullis.common.http.RequestIds;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * Problem+json for what never reaches a JAX-RS resource: a path no route serves (404), and failures
 * raised in the HTTP layer itself (a body over the size limit, an authentication failure, an error
 * in a filter). Quarkus' own error page, which can show exception details, never answers.
 */
@ApplicationScoped
public class ProblemRoutes {

    private static final Logger LOG = Logger.getLogger(ProblemRoutes.class);

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(ProblemRoutes::failure);
        router.route().last().handler(rc -> Problems.end(rc, 404));
    }

    static void failure(RoutingContext rc) {
        Throwable failure = rc.failure();
        int status = rc.statusCode();
        if (failure instanceof UnauthorizedException || failure instanceof AuthenticationFailedException) {
            status = 401;
            rc.response().putHeader("WWW-Authenticate", "Bearer");
        } else if (failure instanceof ForbiddenException) {
            status = 403;
        } else if (failure instanceof HttpException http) {
            status = http.getStatusCode();
        } else if (status < 400) {
            status = 500;
        }
        if (status >= 500) {
            LOG.errorf(failure, "request failed in the HTTP layer [requestId=%s]", RequestIds.of(rc));
        }
        Problems.end(rc, status);
    }
}
