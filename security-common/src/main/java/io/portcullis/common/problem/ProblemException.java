package io.portcullis.common.problem;

import java.util.Map;

/**
 * Thrown by service code to end a request with a specific problem: a status, a stable slug for its
 * {@code type}, and a detail that is safe to show to the caller. Headers such as
 * {@code Retry-After} travel with it.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final String field;
    private final Map<String, String> headers;
    private Map<String, String> extensions = Map.of();

    public ProblemException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, null, Map.of());
    }

    public ProblemException(int status, String slug, String title, String detail, String field, Map<String, String> headers) {
        super(detail, null, false, false); // no stack: these are expected outcomes, not bugs
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.field = field;
        this.headers = Map.copyOf(headers);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not found", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "conflict", "Conflict", detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail);
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "unavailable", "Service unavailable", detail);
    }

    public static ProblemException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ProblemException(429, "rate-limited", "Too many requests", detail, null,
                Map.of("Retry-After", Long.toString(Math.max(1, retryAfterSeconds))));
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** Adds top-level members to the problem body (for protocols such as OAuth2 that ask for them). */
    public ProblemException withExtensions(Map<String, String> extensions) {
        this.extensions = Map.copyOf(extensions);
        return this;
    }

    public Problem toProblem(String requestId) {
        Problem p = Problem.of(status, slug, title, getMessage(), requestId).withExtensions(extensions);
        return field == null ? p : p.withField(field);
    }
}
