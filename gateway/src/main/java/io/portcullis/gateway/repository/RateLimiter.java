package io.portcullis.gateway.repository;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.common.redis.LoopConnections;
import io.portcullis.common.redis.RedisOptionsCapture;
import io.portcullis.common.redis.RedisScript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;

/**
 * The rate limiter's Redis side: one {@code EVALSHA} of {@code lua/rate-limit.lua} per request,
 * whatever the number of limits, with Redis' own clock unless a test hands one in.
 */
@ApplicationScoped
public class RateLimiter {

    /** One limit: its name for the RateLimit headers, its Redis key, and Q requests per window W. */
    public record Limit(String name, String key, int requests, Duration window) {
    }

    /** The verdict, and what the RateLimit headers report (the tightest limit). */
    public record Verdict(boolean allowed, Duration retryAfter, Limit tightest, long remaining, Duration reset) {
    }

    private final RedisScript script;
    private final LoopConnections loops;
    private final Timer latency;
    private volatile Long fixedNowMicros;

    private final long timeoutMillis;

    public RateLimiter(Redis redis, RedisOptionsCapture options, MeterRegistry registry,
            io.portcullis.gateway.config.GatewayConfig config) {
        // one connection per event loop: the script's commands are pipelined and answered on the loop that asked
        this.loops = options.defaultClient().map(o -> new LoopConnections(redis.getDelegate(), o)).orElse(null);
        this.script = new RedisScript(redis, "lua/rate-limit.lua", loops);
        this.timeoutMillis = Math.max(1, config.redisTimeout().toMillis());
        if (loops != null) {
            io.micrometer.core.instrument.Gauge.builder("portcullis.gateway.ratelimit.loop.connections", loops,
                    LoopConnections::openConnections).description("Event loops whose own Redis connection is open")
                    .register(registry);
        }
        this.latency = Timer.builder("portcullis.gateway.ratelimit.redis").description("Rate-limit script round trip")
                .publishPercentileHistogram().register(registry);
    }

    public Uni<Verdict> check(List<Limit> limits) {
        return Uni.createFrom().completionStage(() -> checkNow(limits).toCompletionStage());
    }

    /** {@link #check} for the hot path: a plain Vert.x future, one round trip. */
    public io.vertx.core.Future<Verdict> checkNow(List<Limit> limits) {
        List<String> keys = new ArrayList<>(limits.size());
        List<String> args = new ArrayList<>(1 + 2 * limits.size());
        Long now = fixedNowMicros;
        args.add(now == null ? "" : Long.toString(now));
        for (Limit l : limits) {
            keys.add(l.key());
            args.add(Integer.toString(l.requests()));
            args.add(Long.toString(l.window().toNanos() / 1000));
        }
        long start = System.nanoTime();
        io.vertx.core.Future<Verdict> verdict = script.runNow(keys, args).map(r -> {
            latency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            return verdict(r, limits);
        });
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        if (context == null || verdict.isComplete()) {
            return verdict;
        }
        // a Redis that accepts the command and never answers is down too
        io.vertx.core.Promise<Verdict> bounded = io.vertx.core.Promise.promise();
        io.vertx.core.Vertx vertx = context.owner();
        long timer = vertx.setTimer(timeoutMillis, t -> {
            if (bounded.tryFail(new TimedOut(timeoutMillis)) && loops != null) {
                loops.discard(); // a silent connection would hold every later script too: start afresh
            }
        });
        verdict.onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                bounded.tryComplete(ar.result());
            } else {
                bounded.tryFail(ar.cause());
            }
        });
        return bounded.future();
    }

    /** The script did not answer within {@code portcullis.gateway.redis-timeout}. */
    public static final class TimedOut extends RuntimeException {
        TimedOut(long millis) {
            super("Redis did not answer the rate-limit script within " + millis + " ms", null, false, false);
        }
    }

    private static Verdict verdict(io.vertx.redis.client.Response r, List<Limit> limits) {
        boolean allowed = r.get(0).toInteger() == 1;
        Duration retry = Duration.ofNanos(r.get(1).toLong() * 1000);
        Limit tightest = limits.get(r.get(2).toInteger() - 1);
        return new Verdict(allowed, retry, tightest, r.get(3).toLong(), Duration.ofNanos(r.get(4).toLong() * 1000));
    }

    @jakarta.annotation.PreDestroy
    void close() {
        if (loops != null) {
            loops.close();
        }
    }

    /** Tests only: use this clock (microseconds) instead of Redis TIME; null restores it. */
    public void useClock(Long nowMicros) {
        this.fixedNowMicros = nowMicros;
    }
}
