package io.portcullis.common.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.MDC;

import io.portcullis.common.problem.Problems;
import io.quarkus.runtime.configuration.MemorySizeConverter;

import io.quarkus.vertx.http.ManagementInterface;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Puts the security headers on every response of every service, whoever writes it (a resource, an
 * error mapper, Quarkus itself, the gateway's proxy), and assigns the request id.
 *
 * <ul>
 * <li>{@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY},
 * {@code Content-Security-Policy: default-src 'none'; frame-ancestors 'none'},
 * {@code Referrer-Policy: no-referrer};</li>
 * <li>{@code Strict-Transport-Security} (two years, sub-domains) when the request came over TLS;</li>
 * <li>{@code Cache-Control: no-store} on anything that carried a credential (it overrides what the
 * handler set) and on anything that set no caching policy of its own;</li>
 * <li>no {@code Server} or {@code X-Powered-By} header.</li>
 * </ul>
 */
@ApplicationScoped
public class SecurityHeaders {

    /** Runs before every other filter so that even early failures carry the headers. */
    public static final int FILTER_PRIORITY = 10_000;

    static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
    static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
    static final CharSequence CSP = HttpHeaders.createOptimized("default-src 'none'; frame-ancestors 'none'");
    static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
    static final CharSequence HSTS = HttpHeaders.createOptimized("max-age=63072000; includeSubDomains");
    static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
    static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
    static final CharSequence X_FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
    static final CharSequence CONTENT_SECURITY_POLICY = HttpHeaders.createOptimized("Content-Security-Policy");
    static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
    static final CharSequence STRICT_TRANSPORT_SECURITY = HttpHeaders.createOptimized("Strict-Transport-Security");
    static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized(RequestIds.HEADER);
    static final CharSequence X_API_KEY = HttpHeaders.createOptimized("X-API-Key");
    static final CharSequence X_SESSION_TOKEN = HttpHeaders.createOptimized("X-Session-Token");
    static final CharSequence X_POWERED_BY = HttpHeaders.createOptimized("X-Powered-By");

    void registerOnMainRouter(@Observes Filters filters) {
        long maxBody = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", String.class)
                .map(v -> new MemorySizeConverter().convert(v).asLongValue()).orElse(Long.MAX_VALUE);
        filters.register(rc -> {
            if (declaredLength(rc.request()) > maxBody) {
                // refuse before anyone reads the body, as problem+json rather than an empty 413
                assign(rc);
                rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                Problems.end(rc, 413);
                return;
            }
            handle(rc);
        }, FILTER_PRIORITY);
    }

    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    void registerOnManagementRouter(@Observes ManagementInterface management) {
        management.router().route().order(Integer.MIN_VALUE).handler(SecurityHeaders::handle);
    }

    /** The route handler: resolves the request id, then arranges the headers for the response. */
    public static void handle(RoutingContext rc) {
        assign(rc);
        rc.next();
    }

    private static void assign(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String id = RequestIds.resolve(request.getHeader(X_REQUEST_ID));
        rc.put(RequestIds.CONTEXT_KEY, id);
        MDC.put(RequestIds.MDC_KEY, id);
        rc.response().headers().set(X_REQUEST_ID, id);
        boolean credentials = carriesCredentials(request);
        boolean tls = "https".equals(request.scheme());
        rc.addHeadersEndHandler(v -> apply(rc.response().headers(), credentials, tls));
    }

    /** Applies the policy to a set of response headers (also used on proxied responses). */
    public static void apply(MultiMap headers, boolean credentials, boolean tls) {
        headers.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        headers.set(X_FRAME_OPTIONS, DENY);
        headers.set(CONTENT_SECURITY_POLICY, CSP);
        headers.set(REFERRER_POLICY, NO_REFERRER);
        if (tls) {
            headers.set(STRICT_TRANSPORT_SECURITY, HSTS);
        }
        if (credentials || !headers.contains(HttpHeaders.CACHE_CONTROL)) {
            headers.set(HttpHeaders.CACHE_CONTROL, NO_STORE);
        }
        headers.remove(HttpHeaders.SERVER);
        headers.remove(X_POWERED_BY);
    }

    /** Whether the request presents any credential: then its response is private and never cached. */
    public static boolean carriesCredentials(HttpServerRequest request) {
        MultiMap h = request.headers();
        return h.contains(HttpHeaders.AUTHORIZATION) || h.contains(X_API_KEY) || h.contains(X_SESSION_TOKEN)
                || h.contains(HttpHeaders.COOKIE);
    }
}
