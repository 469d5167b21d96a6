package io.portcullis.gateway.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.common.audit.AuditEvent;
import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.http.ClientIp;
import io.portcullis.common.http.RequestIds;
import io.portcullis.common.http.SecurityHeaders;
import io.portcullis.common.problem.Problem;
import io.portcullis.common.problem.Problems;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.repository.RateLimiter;
import io.portcullis.gateway.service.ApiKeys;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.RoutingContext;

/**
 * The gateway's door: every request outside {@code /gateway} goes through, in this order, and stops
 * at the first refusal (each refusal is problem+json with the request id, and audited):
 *
 * <ol>
 * <li>path check ({@link PathGuard}, 400) and routing by prefix (404; {@code /q/} of the services is
 * never routed);</li>
 * <li>an API key in the query string is refused (400): keys travel in the header only;</li>
 * <li>declared body size (413);</li>
 * <li>the API key ({@link ApiKeys}: 401 missing, 403 unknown, revoked, expired or out of scope);</li>
 * <li>the rate limits: one Redis round trip ({@link RateLimiter}; 429 with {@code Retry-After} and
 * RateLimit headers; Redis down: 503, or through when configured fail-open);</li>
 * <li>forwarding, streamed both ways, with hop-by-hop headers dropped, the key header removed,
 * {@code X-Forwarded-For/Proto} set from the real peer, the request id passed on; a body that grows
 * beyond the limit while streaming is cut (413); an upstream that cannot be reached answers 503, one
 * that stays silent past the read timeout 504.</li>
 * </ol>
 */
@ApplicationScoped
public class ProxyHandler {

    private static final Logger LOG = Logger.getLogger(ProxyHandler.class);
    static final int FILTER_PRIORITY = 100; // after SecurityHeaders (10,000), before every route

    private static final Set<CharSequence> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "proxy-connection");
    private static final Set<String> STRIPPED_REQUEST = Set.of("x-api-key", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix", "forwarded", "x-real-ip", "x-request-id", "host",
            // identity and path overrides that a proxy or SSO layer might set and a backend might believe
            "x-user-id", "x-user", "x-remote-user", "remote-user", "x-authenticated-user", "x-forwarded-user",
            "x-auth-request-user", "x-auth-request-email", "x-original-url", "x-original-uri", "x-rewrite-url");
    /** Every header in the gateway's own namespace is the gateway's to set, never the client's. */
    private static final String OWN_PREFIX = "x-portcullis-";

    private final Upstreams upstreams;
    private final ApiKeys keys;
    private final RateLimiter limiter;
    private final GatewayConfig config;
    private final AuditLog audit;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final Set<String> trustedProxies;
    private final Timer upstreamLatency;
    private final java.util.concurrent.ConcurrentHashMap<String, io.micrometer.core.instrument.Counter> counters =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
    private UpstreamClients clients;
    private final io.portcullis.common.audit.LogThrottle warnings = new io.portcullis.common.audit.LogThrottle();

    public ProxyHandler(GatewayConfig config, ApiKeys keys, RateLimiter limiter, AuditLog audit, MeterRegistry registry,
            Vertx vertx) {
        this.config = config;
        this.upstreams = new Upstreams(config);
        this.keys = keys;
        this.limiter = limiter;
        this.audit = audit;
        this.registry = registry;
        this.vertx = vertx;
        this.trustedProxies = new HashSet<>(config.trustedProxies().orElse(List.of()));
        this.upstreamLatency = Timer.builder("portcullis.gateway.upstream.latency")
                .description("Time to the upstream's response headers").publishPercentileHistogram().register(registry);
    }

    void register(@Observes Filters filters) {
        requireOwnForwardedHandling(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.proxy.proxy-address-forwarding", Boolean.class).orElse(false));
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setVerifyHost(true)
                .setTrustAll(false)
                .setDecompressionSupported(false);
        config.upstreamTrustCertificates().ifPresent(files -> {
            PemTrustOptions trust = new PemTrustOptions();
            files.forEach(trust::addCertPath);
            options.setPemTrustOptions(trust);
        });
        clients = new UpstreamClients(vertx, options, config.maxConnectionsPerUpstream(), config.maxWaitingPerUpstream());
        io.micrometer.core.instrument.Gauge.builder("portcullis.gateway.upstream.loop.clients", clients, UpstreamClients::loopClients)
                .description("Event loops forwarding over upstream connections of their own").register(registry);
        filters.register(this::handle, FILTER_PRIORITY);
    }

    /** Whether a decoded path ({@link PathGuard#decide}) is the gateway's own API, {@code /gateway/...}. */
    public static boolean ownApi(String path) {
        return path.equals("/gateway") || path.startsWith("/gateway/");
    }

    /**
     * The gateway decides who the client is itself ({@link ForwardedFor}, {@code portcullis.gateway.trusted-proxies}).
     * With Quarkus' own proxy address forwarding on, the peer it sees would already be whatever the
     * client wrote in X-Forwarded-For: refused at startup rather than trusted silently.
     */
    static void requireOwnForwardedHandling(boolean quarkusForwarding) {
        if (quarkusForwarding) {
            throw new IllegalStateException("quarkus.http.proxy.proxy-address-forwarding must be false on the gateway: "
                    + "it would take the client's address from headers the client writes; list the proxies in front of "
                    + "the gateway in portcullis.gateway.trusted-proxies instead");
        }
    }

    void close(@Observes ShutdownEvent ignored) {
        if (clients != null) {
            clients.close();
        }
    }

    void handle(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        long started = System.nanoTime();
        String path;
        try {
            path = PathGuard.decide(req.path());
        } catch (PathGuard.BadPath e) {
            refuse(rc, null, badPath(rc, e), null);
            return;
        }
        if (hasKeyInQuery(req.query())) { // on every path, the gateway's own API too: a URL ends up in logs
            Upstreams.Route route = ownApi(path) ? null : upstreams.match(path);
            refuse(rc, route, Problem.of(400, "key-in-query", "Bad request",
                    "API keys are accepted in the X-API-Key header only, never in the URL.", RequestIds.of(rc)), null);
            String client = clientAddress(rc);
            audit.recordThrottled("keyquery|" + client, () -> event(rc, "api_key", "denied", client).detail("reason", "key_in_query"));
            return;
        }
        if (ownApi(path)) {
            rc.next(); // the gateway's own API (JAX-RS; GatewayApiDoor checks its key and limit)
            return;
        }
        Upstreams.Route route = upstreams.match(path);
        if (route == null) {
            rc.next(); // 404 problem from the last route
            return;
        }
        long declared = declaredLength(req);
        if (declared > config.maxBodyBytes()) {
            req.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            refuse(rc, route, Problem.of(413, Problem.defaultDetail(413), RequestIds.of(rc)), null);
            return;
        }
        req.pause();
        ForwardedFor.Client clientInfo = ForwardedFor.of(peer(req), req.headers(), req.isSSL(), trustedProxies);
        String header = req.getHeader(ApiKeys.HEADER);
        ApiKeys.Decision known = keys.verifyFromMemory(header, path);
        if (known != null) {
            decided(rc, route, path, known, clientInfo, started);
            return;
        }
        lookupAllowed(rc, route, clientInfo).onSuccess(allowed -> {
            if (!allowed) {
                return; // answered: 429 or 503
            }
            keys.verify(header, path).subscribe().with(decision -> decided(rc, route, path, decision, clientInfo, started),
                    failure -> {
                        LOG.errorf("key lookup failed [requestId=%s]: %s", RequestIds.of(rc), failure.getMessage());
                        refuse(rc, route, Problem.of(503, "Keys cannot be checked right now; retry shortly.", RequestIds.of(rc)),
                                null);
                    });
        });
    }

    /**
     * A key not held in memory costs a database lookup: the client address's budget of them
     * ({@code rate-limit.key-lookups-per-address}) is charged first. False when the request has been
     * answered (429, or 503 when Redis is down and the limiter fails closed).
     */
    private io.vertx.core.Future<Boolean> lookupAllowed(RoutingContext rc, Upstreams.Route route, ForwardedFor.Client client) {
        RateLimiter.Limit budget = lookupBudget(client);
        if (budget == null) {
            return io.vertx.core.Future.succeededFuture(true);
        }
        return limiter.checkNow(List.of(budget)).map(verdict -> {
            if (verdict.allowed()) {
                return true;
            }
            rc.response().headers().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, seconds(verdict.retryAfter()))));
            refuse(rc, route, lookupsExhausted(rc, route.name(), client), null);
            return false;
        }).recover(failure -> {
            if (limiterUnavailable(rc, client, failure)) {
                return io.vertx.core.Future.succeededFuture(true);
            }
            refuse(rc, route, limiterDownProblem(rc), null);
            return io.vertx.core.Future.succeededFuture(false);
        });
    }

    private void decided(RoutingContext rc, Upstreams.Route route, String path, ApiKeys.Decision decision,
            ForwardedFor.Client clientInfo, long started) {
        if (decision.outcome() != ApiKeys.Outcome.OK) {
            denyKey(rc, route, decision, clientInfo);
            return;
        }
        count("portcullis.gateway.key.decisions", "outcome", "ok");
        audit.recordThrottled("key-ok|" + decision.keyId(), () -> event(rc, "api_key", "success", clientInfo.address())
                .actor("key:" + decision.keyId()).detail("route", route.name()));
        limit(rc, route, path, decision.key(), clientInfo, started);
    }

    /** The problem for a refused key (and the audit event, one per key and reason per second). */
    public Problem keyProblem(RoutingContext rc, String routeName, ApiKeys.Decision d, String clientAddress) {
        ApiKeys.Outcome o = d.outcome();
        count("portcullis.gateway.key.decisions", "outcome", o.name().toLowerCase());
        String who = d.keyId() != null ? "key:" + d.keyId() : "ip:" + clientAddress;
        audit.recordThrottled("key-denied|" + o + "|" + who, () -> event(rc, "api_key", "denied", clientAddress)
                .actor(d.keyId() != null ? "key:" + d.keyId() : AuditEvent.ANONYMOUS)
                .detail("reason", o.name().toLowerCase()).detail("route", routeName));
        if (o == ApiKeys.Outcome.MISSING) {
            rc.response().putHeader("WWW-Authenticate", "ApiKey header=\"X-API-Key\"");
            return Problem.of(401, "api-key-required", "API key required", "Send an API key in the X-API-Key header.",
                    RequestIds.of(rc));
        }
        return Problem.of(403, "api-key-refused", "Forbidden", "This API key cannot be used here.", RequestIds.of(rc));
    }

    private void denyKey(RoutingContext rc, Upstreams.Route route, ApiKeys.Decision d, ForwardedFor.Client client) {
        refuse(rc, route, keyProblem(rc, route.name(), d, client.address()), null);
    }

    private void limit(RoutingContext rc, Upstreams.Route route, String path, ApiKeys.KeyInfo key,
            ForwardedFor.Client client, long started) {
        if (!config.rateLimit().enabled()) {
            forward(rc, route, key, client, started);
            return;
        }
        List<RateLimiter.Limit> limits = limits(key, client, path);
        limiter.checkNow(limits).onSuccess(verdict -> {
            if (!limited(rc, route.name(), key, client, limits, verdict)) {
                refuse(rc, route, Problem.of(429, Problem.defaultDetail(429), RequestIds.of(rc)), null);
                return;
            }
            forward(rc, route, key, client, started);
        }).onFailure(failure -> {
            if (limiterUnavailable(rc, client, failure)) {
                forward(rc, route, key, client, started);
            } else {
                refuse(rc, route, limiterDownProblem(rc), null);
            }
        });
    }

    /**
     * Applies a key's verdict to the response: the {@code RateLimit-Policy} and {@code RateLimit}
     * fields (IETF draft) always; when refused, {@code Retry-After}, the count and the audit event (one
     * per key per second). True when the request may go on. The proxy and the gateway's own API share it.
     */
    public boolean limited(RoutingContext rc, String routeName, ApiKeys.KeyInfo key, ForwardedFor.Client client,
            List<RateLimiter.Limit> limits, RateLimiter.Verdict verdict) {
        MultiMap h = rc.response().headers();
        h.set("RateLimit-Policy", policies(limits));
        h.set("RateLimit", "\"" + verdict.tightest().name() + "\";r=" + verdict.remaining() + ";t=" + seconds(verdict.reset()));
        if (verdict.allowed()) {
            return true;
        }
        h.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, seconds(verdict.retryAfter()))));
        count("portcullis.gateway.rate.limited", "route", routeName);
        audit.recordThrottled("limited|" + key.keyId(), () -> event(rc, "rate_limited", "denied", client.address())
                .actor("key:" + key.keyId()).detail("route", routeName).detail("policy", verdict.tightest().name()));
        return false;
    }

    /** The client address's budget of key lookups, or null when there is none. */
    public RateLimiter.Limit lookupBudget(ForwardedFor.Client client) {
        GatewayConfig.RateLimit rl = config.rateLimit();
        if (!rl.enabled() || rl.keyLookupsPerAddress() <= 0 || client.address() == null) {
            return null;
        }
        return new RateLimiter.Limit("key-lookups", "rl:{ip:" + ClientIp.network(client.address()) + "}:key-lookups", rl.keyLookupsPerAddress(),
                rl.keyLookupsWindow());
    }

    /** The 429 for an exhausted lookup budget, counted and audited (one event per address per second). */
    public Problem lookupsExhausted(RoutingContext rc, String routeName, ForwardedFor.Client client) {
        count("portcullis.gateway.rate.limited", "route", routeName);
        audit.recordThrottled("lookups|" + client.address(), () -> event(rc, "rate_limited", "denied", client.address())
                .detail("route", routeName).detail("policy", "key-lookups"));
        return Problem.of(429, Problem.defaultDetail(429), RequestIds.of(rc));
    }

    /** A path refused by {@link PathGuard}: the problem, and its audit event (one per client address per second). */
    public Problem badPath(RoutingContext rc, PathGuard.BadPath e) {
        String client = clientAddress(rc);
        audit.recordThrottled("path|" + client, () -> event(rc, "validation_failure", "denied", client)
                .detail("field", "path").detail("reason", e.getMessage()));
        return Problem.of(400, "bad-path", "Bad request", e.getMessage(), RequestIds.of(rc));
    }

    /**
     * The rate limiter could not answer (Redis down): counts it, audits it (one event per second), warns
     * in the log (throttled), and tells whether to let the request through (fail open, by configuration).
     */
    public boolean limiterUnavailable(RoutingContext rc, ForwardedFor.Client client, Throwable failure) {
        boolean open = config.rateLimit().failOpen();
        count("portcullis.gateway.ratelimit.unavailable", "mode", open ? "open" : "closed");
        audit.recordThrottled("ratelimit-down", () -> event(rc, "rate_limited", open ? "success" : "failure", client.address())
                .detail("reason", "redis_unavailable").detail("mode", open ? "fail_open" : "fail_closed"));
        if (warnings.tryAcquire()) {
            LOG.warnf("rate limiter unavailable (%s); failing %s", failure.getMessage(), open ? "open" : "closed");
        }
        return open;
    }

    public static Problem limiterDownProblem(RoutingContext rc) {
        return Problem.of(503, "Rate limits cannot be checked right now; retry shortly.", RequestIds.of(rc));
    }

    public List<RateLimiter.Limit> limits(ApiKeys.KeyInfo key, ForwardedFor.Client client, String path) {
        GatewayConfig.RateLimit rl = config.rateLimit();
        List<RateLimiter.Limit> limits = new ArrayList<>(3);
        String tag = "rl:{" + key.keyId() + "}:";
        if (key.requests() != null && key.windowSeconds() != null) {
            limits.add(new RateLimiter.Limit("key", tag + "key", key.requests(), Duration.ofSeconds(key.windowSeconds())));
        } else {
            limits.add(new RateLimiter.Limit("key", tag + "key", rl.defaultRequests(), rl.defaultWindow()));
        }
        rl.routes().ifPresent(routes -> {
            for (int i = 0; i < routes.size(); i++) {
                GatewayConfig.RouteLimit r = routes.get(i);
                if (path.equals(r.prefix()) || path.startsWith(r.prefix() + "/")) {
                    limits.add(new RateLimiter.Limit("route", tag + "route:" + i, r.requests(), r.window()));
                    break;
                }
            }
        });
        if (rl.perAddressRequests() > 0 && client.address() != null) {
            limits.add(new RateLimiter.Limit("address", tag + "ip:" + ClientIp.network(client.address()), rl.perAddressRequests(),
                    rl.perAddressWindow()));
        }
        return limits;
    }

    private void forward(RoutingContext rc, Upstreams.Route route, ApiKeys.KeyInfo key, ForwardedFor.Client clientInfo,
            long started) {
        HttpServerRequest req = rc.request();
        RequestOptions options = new RequestOptions()
                .setHost(route.host()).setPort(route.port()).setSsl(route.ssl())
                .setMethod(req.method()).setURI(req.uri())
                .setConnectTimeout(config.connectTimeout().toMillis()) // bounds the wait for a pooled connection too
                .setIdleTimeout(config.readTimeout().toMillis());
        long upstreamStart = System.nanoTime();
        clients.here().request(options).onComplete(ar -> {
            if (ar.failed()) {
                upstreamFailed(rc, route, ar.cause(), true);
                return;
            }
            HttpClientRequest creq = ar.result();
            MultiMap out = creq.headers();
            copyRequestHeaders(req.headers(), out);
            out.set(HttpHeaders.HOST, route.host() + ":" + route.port());
            out.set("X-Forwarded-For", clientInfo.forwardedFor());
            out.set("X-Forwarded-Proto", clientInfo.forwardedProto());
            String host = req.getHeader(HttpHeaders.HOST);
            if (host != null) {
                out.set("X-Forwarded-Host", host);
            }
            out.set(RequestIds.HEADER, RequestIds.of(rc));
            out.set("X-Portcullis-Key-Id", key.keyId());
            creq.response().onComplete(rr -> {
                if (rr.failed()) {
                    upstreamFailed(rc, route, rr.cause(), false);
                    return;
                }
                upstreamLatency.record(System.nanoTime() - upstreamStart, TimeUnit.NANOSECONDS);
                relayResponse(rc, route, rr.result(), started);
            });
            sendBody(rc, route, req, creq);
        });
    }

    private void sendBody(RoutingContext rc, Upstreams.Route route, HttpServerRequest req, HttpClientRequest creq) {
        // HTTP/2 has no Transfer-Encoding: a body of unknown length comes as DATA frames after headers
        // without Content-Length, so a method that carries a body is streamed whenever the stream is open
        boolean hasBody = req.headers().contains(HttpHeaders.CONTENT_LENGTH) || req.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                || req.version() == io.vertx.core.http.HttpVersion.HTTP_2 && !req.isEnded() && carriesBody(req.method());
        if (!hasBody) {
            req.resume();
            creq.end();
            return;
        }
        if (!creq.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            creq.setChunked(true); // also when the client named Content-Length in Connection and it was dropped
        }
        long max = config.maxBodyBytes();
        long[] seen = { 0 };
        req.handler(buffer -> {
            seen[0] += buffer.length();
            if (seen[0] > max) {
                req.handler(null);
                if (!rc.response().headWritten()) {
                    rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                    refuse(rc, route, Problem.of(413, Problem.defaultDetail(413), RequestIds.of(rc)), null);
                }
                creq.reset();
                return;
            }
            creq.write(buffer);
            if (creq.writeQueueFull()) {
                req.pause();
                creq.drainHandler(v -> req.resume());
            }
        });
        req.endHandler(v -> {
            if (seen[0] <= max) {
                creq.end();
            }
        });
        req.exceptionHandler(e -> creq.reset());
        req.resume();
    }

    private void relayResponse(RoutingContext rc, Upstreams.Route route, HttpClientResponse cres, long started) {
        HttpServerResponse res = rc.response();
        if (res.ended() || res.headWritten()) {
            cres.request().reset();
            return;
        }
        res.setStatusCode(cres.statusCode());
        res.setStatusMessage(cres.statusMessage());
        MultiMap headers = res.headers();
        Set<String> connectionListed = connectionTokens(cres.headers());
        for (var e : cres.headers()) {
            String lower = e.getKey().toLowerCase();
            if (HOP_BY_HOP.contains(lower) || connectionListed.contains(lower) || "x-request-id".equals(lower)) {
                continue; // the request id is the gateway's, already set, and the one the upstream was given
            }
            headers.add(e.getKey(), "location".equals(lower) ? publicLocation(e.getValue(), route) : e.getValue());
        }
        if (!cres.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            res.setChunked(true);
        }
        SecurityHeaders.apply(headers, true, rc.request().isSSL());
        int status = cres.statusCode();
        res.send(cres).onComplete(done -> record(route, status, started));
    }

    /**
     * A {@code Location} the upstream built from the {@code Host} it was sent (its internal address)
     * becomes a reference relative to the gateway's own origin, so that no internal host name or port
     * reaches the client; any other {@code Location} passes as it is.
     */
    static String publicLocation(String location, Upstreams.Route route) {
        for (String scheme : new String[] { "http://", "https://" }) {
            String origin = scheme + route.host() + ":" + route.port();
            if (location.regionMatches(true, 0, origin, 0, origin.length())) {
                String rest = location.substring(origin.length());
                if (rest.isEmpty()) {
                    return "/";
                }
                if (rest.charAt(0) == '/' || rest.charAt(0) == '?') {
                    return rest.charAt(0) == '/' ? rest : "/" + rest;
                }
            }
        }
        return location;
    }

    /**
     * 503 when no connection could be had (refused, not connected in time, or every pooled connection
     * busy beyond the wait allowed); 504 when the upstream took the request and stayed silent.
     */
    private void upstreamFailed(RoutingContext rc, Upstreams.Route route, Throwable cause, boolean connecting) {
        if (rc.response().ended()) {
            return; // already answered (a body over the limit, say)
        }
        boolean timeout = !connecting && (cause instanceof java.util.concurrent.TimeoutException
                || (cause.getMessage() != null && cause.getMessage().contains("timeout")));
        if (warnings.tryAcquire()) {
            LOG.warnf("upstream %s failed [requestId=%s]: %s", route.name(), RequestIds.of(rc), cause.getMessage());
        }
        if (timeout) {
            refuse(rc, route, Problem.of(504, "The upstream service did not answer in time.", RequestIds.of(rc)), null);
        } else {
            refuse(rc, route, Problem.of(503, "The upstream service is unavailable; retry shortly.", RequestIds.of(rc)), null);
        }
    }

    private void refuse(RoutingContext rc, Upstreams.Route route, Problem problem, Long startedNanos) {
        rc.request().resume();
        Problems.end(rc, problem);
        record(route, problem.status(), startedNanos);
    }

    private void record(Upstreams.Route route, int status, Long started) {
        String name = route == null ? "none" : route.name();
        count("portcullis.gateway.requests", "route", name, "status", Integer.toString(status));
        if (started != null) {
            timers.computeIfAbsent(name, n -> registry.timer("portcullis.gateway.request.duration", "route", n))
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /** Counters are looked up once per name and tags, not on every request. */
    private void count(String name, String... tags) {
        String id = name + '|' + String.join("|", tags);
        counters.computeIfAbsent(id, k -> registry.counter(name, tags)).increment();
    }

    /** Headers named in {@code Connection} are hop-by-hop too (RFC 9110, section 7.6.1). */
    static Set<String> connectionTokens(MultiMap headers) {
        Set<String> tokens = new HashSet<>();
        for (String c : headers.getAll(HttpHeaders.CONNECTION)) {
            for (String token : c.split(",")) {
                tokens.add(token.trim().toLowerCase());
            }
        }
        return tokens;
    }

    private static boolean carriesBody(io.vertx.core.http.HttpMethod method) {
        return method == io.vertx.core.http.HttpMethod.POST || method == io.vertx.core.http.HttpMethod.PUT
                || method == io.vertx.core.http.HttpMethod.PATCH;
    }

    static void copyRequestHeaders(MultiMap in, MultiMap out) {
        Set<String> connectionListed = connectionTokens(in);
        for (var e : in) {
            String lower = e.getKey().toLowerCase();
            if (HOP_BY_HOP.contains(lower) || STRIPPED_REQUEST.contains(lower) || lower.startsWith(OWN_PREFIX)
                    || connectionListed.contains(lower)) {
                continue;
            }
            out.add(e.getKey(), e.getValue());
        }
    }

    static boolean hasKeyInQuery(String query) {
        if (query == null || query.isEmpty()) {
            return false;
        }
        for (String raw : query.split("&")) {
            String part = decodeQueryPart(raw).toLowerCase();
            String name = part.split("=", 2)[0].replace("-", "").replace("_", "");
            if (name.equals("apikey") || name.equals("xapikey") || part.contains("pcx_")) {
                return true;
            }
        }
        return false;
    }

    /** A query parameter as its reader will see it (%61pikey is apikey); left as it is when malformed. */
    private static String decodeQueryPart(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
            return raw;
        }
        try {
            return java.net.URLDecoder.decode(raw, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    private static long declaredLength(HttpServerRequest req) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String peer(HttpServerRequest req) {
        return req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    }

    private static String policies(List<RateLimiter.Limit> limits) {
        StringBuilder sb = new StringBuilder();
        for (RateLimiter.Limit l : limits) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append('"').append(l.name()).append("\";q=").append(l.requests()).append(";w=").append(l.window().toSeconds());
        }
        return sb.toString();
    }

    public static long seconds(Duration d) {
        return Math.max(0, (d.toMillis() + 999) / 1000);
    }

    /**
     * The client as the trusted proxies vouch for it (the peer when it is no trusted proxy): behind a
     * load balancer, the peer is the balancer, and every client's refusals would share its address.
     */
    private String clientAddress(RoutingContext rc) {
        return ForwardedFor.of(peer(rc.request()), rc.request().headers(), rc.request().isSSL(), trustedProxies).address();
    }

    private AuditEvent.Builder event(RoutingContext rc, String type, String outcome, String address) {
        return AuditLog.event(type, outcome).requestId(RequestIds.of(rc))
                .sourceIp(address != null ? address : peer(rc.request()))
                .detail("method", rc.request().method().name());
    }
}
