package io.portcullis.common.problem;

import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An RFC 9457 problem detail, the body of every error Portcullis returns
 * ({@code application/problem+json}). It carries what the client needs to react and to report
 * (status, a stable {@code type}, the {@code requestId} to quote), and never anything internal:
 * no class name, stack trace, SQL, file path or host.
 *
 * @param type a stable URN naming the kind of problem, {@code urn:portcullis:problem:<slug>}
 * @param field for a 400, the input field that failed, when there is exactly one
 * @param errors for a 400 with several failures, one entry per field
 */
public record Problem(String type, String title, int status, String detail, String requestId, String field,
        List<FieldError> errors, java.util.Map<String, String> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:portcullis:problem:";

    /** One failed input field and why, in words safe to show (never the rejected value itself). */
    public record FieldError(String field, String message) {
    }

    public static Problem of(int status, String detail, String requestId) {
        return new Problem(typeFor(status), titleFor(status), status, detail, requestId, null, List.of(), java.util.Map.of());
    }

    public static Problem of(int status, String slug, String title, String detail, String requestId) {
        return new Problem(TYPE_PREFIX + slug, title, status, detail, requestId, null, List.of(), java.util.Map.of());
    }

    public Problem withField(String field) {
        return new Problem(type, title, status, detail, requestId, field, errors, extensions);
    }

    public Problem withErrors(List<FieldError> errors) {
        String single = errors.size() == 1 ? errors.get(0).field() : field;
        return new Problem(type, title, status, detail, requestId, single, List.copyOf(errors), extensions);
    }

    /** Extra top-level members a protocol asks for (RFC 6749's {@code error}, say). */
    public Problem withExtensions(java.util.Map<String, String> more) {
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>(extensions);
        all.putAll(more);
        return new Problem(type, title, status, detail, requestId, field, errors, java.util.Map.copyOf(all));
    }

    public JsonObject toJsonObject() {
        JsonObject json = new JsonObject()
                .put("type", type)
                .put("title", title)
                .put("status", status)
                .put("detail", detail)
                .put("requestId", requestId);
        if (field != null) {
            json.put("field", field);
        }
        if (errors != null && !errors.isEmpty()) {
            JsonArray list = new JsonArray();
            errors.forEach(e -> list.add(new JsonObject().put("field", e.field()).put("message", e.message())));
            json.put("errors", list);
        }
        if (extensions != null) {
            extensions.forEach((k, v) -> {
                if (!json.containsKey(k)) {
                    json.put(k, v);
                }
            });
        }
        return json;
    }

    public String toJson() {
        return toJsonObject().encode();
    }

    public static String typeFor(int status) {
        return TYPE_PREFIX + switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 410 -> "gone";
            case 413 -> "payload-too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            case 422 -> "unprocessable";
            case 429 -> "rate-limited";
            case 431 -> "header-fields-too-large";
            case 502 -> "bad-gateway";
            case 503 -> "unavailable";
            case 504 -> "gateway-timeout";
            default -> status >= 500 ? "internal" : "client-error";
        };
    }

    public static String titleFor(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Authentication required";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 406 -> "Not acceptable";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 413 -> "Payload too large";
            case 414 -> "URI too long";
            case 415 -> "Unsupported media type";
            case 422 -> "Unprocessable content";
            case 429 -> "Too many requests";
            case 431 -> "Request header fields too large";
            case 502 -> "Bad gateway";
            case 503 -> "Service unavailable";
            case 504 -> "Gateway timeout";
            default -> status >= 500 ? "Internal error" : "Client error";
        };
    }

    /** A detail sentence that is safe for any status: it says what happened, never why internally. */
    public static String defaultDetail(int status) {
        return switch (status) {
            case 400 -> "The request is malformed.";
            case 401 -> "A valid credential is required.";
            case 403 -> "You are not allowed to do this.";
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed on this resource.";
            case 406 -> "No acceptable representation is available.";
            case 413 -> "The request body is too large.";
            case 414 -> "The request URI is too long.";
            case 415 -> "This media type is not supported here.";
            case 429 -> "Too many requests; retry later.";
            case 431 -> "The request headers are too large.";
            case 503 -> "A dependency is unavailable; retry later.";
            case 504 -> "An upstream service did not answer in time.";
            default -> status >= 500 ? "An internal error occurred; quote the request id when reporting it."
                    : "The request cannot be processed.";
        };
    }
}
