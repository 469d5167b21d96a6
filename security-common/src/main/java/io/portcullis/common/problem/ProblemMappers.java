package io.portcullis.common.problem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.http.RequestIds;
import io.portcullis.common.validation.Validation;
import io.portcullis.common.validation.ValidationException;
import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Turns every exception that reaches a JAX-RS resource's edge into RFC 9457 problem+json with the
 * request id. Expected outcomes (validation, not found, conflicts, authentication) keep their status
 * and a safe detail; anything unexpected becomes a 500 whose body says nothing internal, while the
 * full exception is logged server-side under the same request id.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final AuditLog audit;

    public ProblemMappers(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * Input refused: a {@code validation_failure} event naming the field, never the value; one per
     * client address, actor and path per second at most.
     */
    private void auditValidation(HttpServerRequest request, String field) {
        audit.recordThrottled("validation|" + ip(request) + "|" + AuditLog.currentActor() + "|" + area(request.path()),
                AuditLog.event("validation_failure", "denied").detail("field", field)
                        .detail("method", request.method().name()).detail("path", Validation.forLog(request.path(), 200)));
    }

    /**
     * Access refused: an {@code authz_failure} event, one per client address, actor and path per second
     * at most (a flood from one caller is counted, not logged line by line; another caller's refusal in
     * the same second is its own event).
     */
    private void auditAuthz(HttpServerRequest request, String reason) {
        audit.recordThrottled("authz|" + reason + "|" + ip(request) + "|" + AuditLog.currentActor() + "|" + area(request.path()),
                AuditLog.event("authz_failure", "denied").detail("reason", reason)
                        .detail("method", request.method().name()).detail("path", Validation.forLog(request.path(), 200)));
    }

    /**
     * What refusals are throttled by: the path's first segment ({@code /secrets}), not the whole path,
     * so that a client varying the path cannot turn each request into an audit event of its own. The
     * event recorded still carries the full path; the others are counted in it.
     */
    static String area(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        int second = path.indexOf('/', 1);
        String first = second < 0 ? path : path.substring(0, second);
        return first.length() > 64 ? first.substring(0, 64) : first;
    }

    private static String ip(HttpServerRequest request) {
        return request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        if (e instanceof ValidationException) {
            auditValidation(request, e.field());
        }
        return Problems.response(e.toProblem(RequestIds.of(request)), e.headers());
    }

    @ServerExceptionMapper({ ResteasyReactiveViolationException.class, ConstraintViolationException.class })
    public Response violations(ConstraintViolationException e, HttpServerRequest request) {
        String requestId = RequestIds.of(request);
        boolean onReturnValue = e.getConstraintViolations().stream()
                .anyMatch(v -> lastNode(v.getPropertyPath()).getKind() == ElementKind.RETURN_VALUE);
        if (onReturnValue) {
            LOG.errorf("response failed its own constraints [requestId=%s]", requestId);
            return Problems.response(Problem.of(500, Problem.defaultDetail(500), requestId));
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            errors.add(new Problem.FieldError(fieldName(v.getPropertyPath()), v.getMessage()));
        }
        errors.sort(Comparator.comparing(Problem.FieldError::field));
        auditValidation(request, String.join(",", errors.stream().map(Problem.FieldError::field).toList()));
        String detail = errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return Problems.response(Problem.of(400, "validation", "Invalid input", detail, requestId).withErrors(errors));
    }

    @ServerExceptionMapper({ JsonProcessingException.class, JsonParseException.class, JsonMappingException.class,
            MismatchedInputException.class, InvalidFormatException.class, UnrecognizedPropertyException.class })
    public Response malformedJson(JsonProcessingException e, HttpServerRequest request) {
        String requestId = RequestIds.of(request);
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = jsonPath(mapping);
            auditValidation(request, field);
            String detail = e instanceof UnrecognizedPropertyException ? "unknown field " + field
                    : field + " has the wrong type or format";
            return Problems.response(Problem.of(400, "malformed-body", "Malformed request body", detail, requestId)
                    .withField(field));
        }
        auditValidation(request, "body");
        return Problems.response(Problem.of(400, "malformed-body", "Malformed request body",
                "The request body is not valid JSON.", requestId));
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class,
            AuthenticationCompletionException.class })
    public Response unauthenticated(RuntimeException e, HttpServerRequest request) {
        auditAuthz(request, "unauthenticated");
        return Response.fromResponse(Problems.response(Problem.of(401, Problem.defaultDetail(401), RequestIds.of(request))))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        auditAuthz(request, "forbidden");
        return Problems.response(Problem.of(403, Problem.defaultDetail(403), RequestIds.of(request)));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, request);
        }
        String requestId = RequestIds.of(request);
        if (status >= 500) {
            LOG.errorf(e, "request failed [requestId=%s]", requestId);
        }
        return Problems.response(Problem.of(status, Problem.defaultDetail(status), requestId));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        String requestId = RequestIds.of(request);
        int status = DependencyFailures.statusFor(e);
        if (status == 409) {
            LOG.debugf("lost a race to a concurrent change [requestId=%s]: %s", requestId, e.getClass().getSimpleName());
            return Problems.response(Problem.of(409, "conflict", "Conflict",
                    "A concurrent request changed the same thing; retry.", requestId));
        }
        if (status == 503) {
            // a downed database or Redis: no stack trace per request, one event a second per path with a count
            LOG.warnf("a dependency is unavailable [requestId=%s]: %s", requestId, e.getClass().getSimpleName());
            audit.recordThrottled("dependency|" + area(request.path()), AuditLog.event("system_error", "failure")
                    .detail("reason", "dependency_unavailable").detail("method", request.method().name())
                    .detail("path", Validation.forLog(request.path(), 200)).detail("error", e.getClass().getSimpleName()));
            return Response.fromResponse(Problems.response(Problem.of(503,
                    "A service this one depends on is unavailable; retry shortly.", requestId)))
                    .header("Retry-After", "1").build();
        }
        LOG.errorf(e, "unexpected failure [requestId=%s]", requestId);
        // throttled like the others (with a count): a failure that repeats must not flood the audit log
        audit.recordThrottled("error|" + area(request.path()) + "|" + e.getClass().getName(),
                AuditLog.event("system_error", "failure").detail("method", request.method().name())
                .detail("path", Validation.forLog(request.path(), 200)).detail("error", e.getClass().getSimpleName()));
        return Problems.response(Problem.of(500, Problem.defaultDetail(500), requestId));
    }

    private static Path.Node lastNode(Path path) {
        Path.Node last = null;
        for (Path.Node n : path) {
            last = n;
        }
        return last;
    }

    /**
     * The client's name for the field: for a body bean, its property path ({@code user.name}); for a
     * query or path parameter, the parameter's name. The Java method's name never shows.
     */
    static String fieldName(Path path) {
        List<Path.Node> nodes = new ArrayList<>();
        boolean hasProperty = false;
        for (Path.Node n : path) {
            if (n.getKind() == ElementKind.METHOD || n.getName() == null) {
                continue;
            }
            hasProperty |= n.getKind() == ElementKind.PROPERTY;
            nodes.add(n);
        }
        List<String> parts = new ArrayList<>();
        for (Path.Node n : nodes) {
            if (hasProperty && n.getKind() == ElementKind.PARAMETER) {
                continue;
            }
            parts.add(n.getIndex() != null ? n.getName() + "[" + n.getIndex() + "]" : n.getName());
        }
        return parts.isEmpty() ? "body" : String.join(".", parts);
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "body" : sb.toString();
    }
}
