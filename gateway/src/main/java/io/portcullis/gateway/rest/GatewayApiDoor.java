package io.portcullis.gateway.rest;

import java.util.HashSet;
import java.util.List;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.portcullis.common.http.RequestIds;
import io.portcullis.common.problem.Problem;
import io.portcullis.common.problem.Problems;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.proxy.ForwardedFor;
import io.portcullis.gateway.proxy.PathGuard;
import io.portcullis.gateway.proxy.ProxyHandler;
import io.portcullis.gateway.proxy.Upstreams;
import io.portcullis.gateway.repository.RateLimiter;
import io.portcullis.gateway.service.ApiKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The gateway's own API ({@code /gateway/...}) stands behind the same door as everything else: an API
 * key in scope for {@code /gateway} and the rate limit, before the admin JWT is even looked at. It
 * judges every request that reaches JAX-RS by its decoded path, so that no spelling of
 * {@code /gateway} reaches a resource without passing it.
 */
public class GatewayApiDoor {

    static final Upstreams.Route SELF = new Upstreams.Route("gateway", "/gateway", "localhost", 0, false);

    private final ApiKeys keys;
    private final RateLimiter limiter;
    private final ProxyHandler proxy;
    private final GatewayConfig config;

    public GatewayApiDoor(ApiKeys keys, RateLimiter limiter, ProxyHandler proxy, GatewayConfig config) {
        this.keys = keys;
        this.limiter = limiter;
        this.proxy = proxy;
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Uni<Response> door(RoutingContext rc) {
        String path;
        try {
            // on the decoded path, as JAX-RS matches it: /%67ateway/keys is /gateway/keys here too
            path = PathGuard.decide(rc.request().path());
        } catch (PathGuard.BadPath e) {
            return Uni.createFrom().item(Problems.response(proxy.badPath(rc, e)));
        }
        if (!ProxyHandler.ownApi(path)) {
            return Uni.createFrom().nullItem();
        }
        ForwardedFor.Client client = ForwardedFor.of(rc.request().remoteAddress() == null ? null
                : rc.request().remoteAddress().hostAddress(), rc.request().headers(), rc.request().isSSL(),
                new HashSet<>(config.trustedProxies().orElse(List.of())));
        String header = rc.request().getHeader(ApiKeys.HEADER);
        RateLimiter.Limit budget = keys.verifyFromMemory(header, path) == null ? proxy.lookupBudget(client) : null;
        Uni<Response> charged = budget == null ? Uni.createFrom().nullItem()
                : limiter.check(List.of(budget)).map(v -> v.allowed() ? null
                        : tooMany(proxy.lookupsExhausted(rc, SELF.name(), client), v))
                        .onFailure().recoverWithItem(e -> proxy.limiterUnavailable(rc, client, e) ? null
                                : Problems.response(ProxyHandler.limiterDownProblem(rc)));
        return charged.chain(refused -> refused != null ? Uni.createFrom().item(refused) : decide(rc, path, header, client));
    }

    private Uni<Response> decide(RoutingContext rc, String path, String header, ForwardedFor.Client client) {
        return keys.verify(header, path).chain(d -> {
            if (d.outcome() != ApiKeys.Outcome.OK) {
                Problem p = proxy.keyProblem(rc, SELF.name(), d, client.address());
                return Uni.createFrom().item(response(rc, p));
            }
            if (!config.rateLimit().enabled()) {
                return Uni.createFrom().nullItem();
            }
            List<RateLimiter.Limit> limits = proxy.limits(d.key(), client, path);
            return limiter.check(limits)
                    .map(v -> proxy.limited(rc, SELF.name(), d.key(), client, limits, v) ? null
                            : withHeaders(rc, Problems.response(Problem.of(429, Problem.defaultDetail(429), RequestIds.of(rc)))))
                    .onFailure().recoverWithItem(e -> proxy.limiterUnavailable(rc, client, e) ? null
                            : Problems.response(ProxyHandler.limiterDownProblem(rc)));
        });
    }

    /** The rate-limit fields already set on the response, carried onto a response the filter ends with. */
    private static Response withHeaders(RoutingContext rc, Response r) {
        Response.ResponseBuilder b = Response.fromResponse(r);
        for (String name : List.of("RateLimit-Policy", "RateLimit", "Retry-After")) {
            String value = rc.response().headers().get(name);
            if (value != null) {
                b.header(name, value);
            }
        }
        return b.build();
    }

    private static Response tooMany(Problem p, RateLimiter.Verdict v) {
        return Response.fromResponse(Problems.response(p))
                .header(HttpHeaders.RETRY_AFTER.toString(), Math.max(1, ProxyHandler.seconds(v.retryAfter()))).build();
    }

    private static Response response(RoutingContext rc, Problem p) {
        Response.ResponseBuilder b = Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p.toJson());
        String challenge = rc.response().headers().get("WWW-Authenticate");
        if (challenge != null) {
            b.header("WWW-Authenticate", challenge);
        }
        return b.build();
    }
}
