package io.portcullis.common.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Request ids ({@code X-Request-Id}): a well-formed id from the caller is kept so one request can be
 * followed across the gateway, the services and the audit log; anything else (missing, too long,
 * characters that could forge a log line) is replaced by a fresh one.
 *
 * <p>Ids are correlation handles, not secrets, so they come from {@link ThreadLocalRandom}: cheap on
 * the gateway's hot path and with no lock.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    /** The key under which the resolved id sits in the {@link RoutingContext}. */
    public static final String CONTEXT_KEY = "portcullis.requestId";
    /** The MDC key, so every log line of a request carries its id. */
    public static final String MDC_KEY = "requestId";

    private static final Pattern WELL_FORMED = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** {@code incoming} when it is well formed (8-128 of {@code [A-Za-z0-9._:-]}), else a new id. */
    public static String resolve(String incoming) {
        if (incoming != null && incoming.length() >= 8 && incoming.length() <= 128 && WELL_FORMED.matcher(incoming).matches()) {
            return incoming;
        }
        return generate();
    }

    /** 128 random bits as 32 hex characters. */
    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        char[] out = new char[32];
        for (int i = 0; i < 16; i++) {
            out[15 - i] = HEX[(int) (hi >>> (i * 4)) & 0xf];
            out[31 - i] = HEX[(int) (lo >>> (i * 4)) & 0xf];
        }
        return new String(out);
    }

    /** The id resolved for this request (set by {@link SecurityHeaders}), or a new one. */
    public static String of(RoutingContext rc) {
        String id = rc == null ? null : rc.get(CONTEXT_KEY);
        return id != null ? id : of(rc == null ? null : rc.request());
    }

    /** The id this request's response carries, or a new one when none was assigned. */
    public static String of(HttpServerRequest request) {
        if (request != null) {
            String id = request.response().headers().get(HEADER);
            if (id != null) {
                return id;
            }
        }
        return generate();
    }
}
