package io.portcullis.common.problem;

import java.util.Map;

import jakarta.ws.rs.core.Response;

import io.portcullis.common.http.RequestIds;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Writes problems, as a JAX-RS {@link Response} or straight onto a Vert.x response. */
public final class Problems {

    private Problems() {
    }

    public static Response response(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem.toJson()).build();
    }

    public static Response response(Problem problem, Map<String, String> headers) {
        Response.ResponseBuilder b = Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem.toJson());
        headers.forEach(b::header);
        return b.build();
    }

    /** Ends {@code rc} with a problem for {@code status} and the default detail. */
    public static void end(RoutingContext rc, int status) {
        end(rc, Problem.of(status, Problem.defaultDetail(status), RequestIds.of(rc)));
    }

    /** Ends {@code rc} with {@code problem}, unless a response is already under way. */
    public static void end(RoutingContext rc, Problem problem) {
        HttpServerResponse response = rc.response();
        if (response.headWritten() || response.ended()) {
            if (!response.ended()) {
                response.reset(); // half a body is worse than none
            }
            return;
        }
        response.setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(problem.toJson());
    }
}
