package io.portcullis.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The gateway ({@code portcullis.gateway.*}). */
@ConfigMapping(prefix = "portcullis.gateway")
public interface GatewayConfig {

    /**
     * Upstreams by route: {@code auth=http://auth-service:8081} serves every path under {@code /auth}.
     * The path is forwarded unchanged. An {@code https} upstream is verified against the JDK's trust
     * store or {@link #upstreamTrustCertificates()}; certificates are never trusted blindly.
     */
    Map<String, String> upstreams();

    /** PEM file(s) of the CAs that sign upstream certificates, when they are not publicly trusted. */
    Optional<List<String>> upstreamTrustCertificates();

    /** Time to get a connection to an upstream (from the pool, or a new one) before answering 503. */
    @WithDefault("PT2S")
    Duration connectTimeout();

    /** Time an upstream may stay silent before the gateway answers 504. */
    @WithDefault("PT30S")
    Duration readTimeout();

    /**
     * Time the rate-limit script may take before Redis counts as down (then 503, or through when
     * failing open): a Redis that hangs must not hang every request with it.
     */
    @WithDefault("PT1S")
    Duration redisTimeout();

    /**
     * Connections kept per upstream, shared out evenly between the event loops, each forwarding over its
     * own ({@code UpstreamClients}); one pool for all loops when there are fewer than loops.
     */
    @WithDefault("256")
    int maxConnectionsPerUpstream();

    /**
     * Requests that may wait for one of an upstream's connections when all are busy; beyond them, and
     * after {@code connect-timeout} of waiting, 503 at once rather than a queue without end. Shared out
     * between the event loops like the connections.
     */
    @WithDefault("256")
    int maxWaitingPerUpstream();

    /** Largest request body forwarded; beyond it, 413 (announced or streamed). */
    @WithDefault("10485760")
    long maxBodyBytes();

    /**
     * Peers whose {@code X-Forwarded-For}/{@code X-Forwarded-Proto} are believed (a load balancer in
     * front of the gateway), as IP addresses. From anyone else those headers are replaced.
     */
    Optional<List<String>> trustedProxies();

    KeyCache keyCache();

    RateLimit rateLimit();

    interface KeyCache {
        /** How long a verified key is trusted from memory; revocations arrive sooner by pub/sub. */
        @WithDefault("PT30S")
        Duration ttl();

        /** How long an unknown key id is remembered as unknown (spares the database a flood). */
        @WithDefault("PT2S")
        Duration negativeTtl();

        @WithDefault("100000")
        int maxSize();

        /**
         * Time a key's database lookup may take before the request gets 503: a database that hangs (a
         * lock, a lost route) must not hang every request for a key not yet in memory.
         */
        @WithDefault("PT2S")
        Duration lookupTimeout();
    }

    /**
     * Rate limiting: GCRA in one Lua script per request, over up to three limits that must all allow
     * the request: the key's own (its {@code rateLimit}, else the default), the route's (per key) and
     * the client address's (per key).
     */
    interface RateLimit {
        @WithDefault("true")
        boolean enabled();

        /**
         * What to do when Redis cannot be reached: refuse with 503 (false, the default: a limit that
         * silently stops limiting protects nothing) or let requests through (true). Either way a
         * metric counts it and an audit event records it.
         */
        @WithDefault("false")
        boolean failOpen();

        /** Requests per window for a key without its own limit. */
        @WithDefault("600")
        int defaultRequests();

        @WithDefault("PT60S")
        Duration defaultWindow();

        /** Requests per window from one client address (within one key); 0 turns it off. */
        @WithDefault("0")
        int perAddressRequests();

        @WithDefault("PT60S")
        Duration perAddressWindow();

        /** Tighter limits for costly routes, by path prefix (e.g. {@code /auth/login}). */
        Optional<List<RouteLimit>> routes();

        /**
         * Database lookups of keys not held in memory, per client address and window, whatever the key:
         * a valid key costs one lookup per cache TTL, a flood of made-up or revoked keys is stopped
         * here with 429 before it reaches PostgreSQL. 0 turns it off.
         */
        @WithDefault("600")
        int keyLookupsPerAddress();

        @WithDefault("PT60S")
        Duration keyLookupsWindow();
    }

    interface RouteLimit {
        String prefix();

        int requests();

        Duration window();
    }
}
