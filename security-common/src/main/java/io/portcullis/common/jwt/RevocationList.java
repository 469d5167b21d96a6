package io.portcullis.common.jwt;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.quarkus.redis.datasource.sortedset.ScoredValue;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * The sessions that ended, as every service sees them: a local copy of a Redis sorted set
 * ({@code auth:revoked-sids}, member = sid, score = when its last token expires), kept fresh by Redis
 * pub/sub ({@code auth:revocations}), so that checking a token costs a map lookup and no round
 * trip, and a logout takes effect everywhere within a second. A periodic reload forgets entries
 * whose tokens have all expired.
 *
 * <p>The list is loaded only once the subscription is acknowledged, so nothing announced in between
 * is missed. When the subscription ends (Redis restarted or failed over, the connection killed or
 * timed out) the service subscribes again every second until it can, reloading the list each time,
 * so that what was announced while nobody listened is not missed either.
 */
@ApplicationScoped
public class RevocationList {

    private static final Logger LOG = Logger.getLogger(RevocationList.class);

    private final ReactiveRedisDataSource redis;
    private final ReactiveSortedSetCommands<String, String> zset;
    private final RevocationConfig config;
    /** Verifiers accept a token this long past its {@code exp} (and its age limit): a revocation outlives that too. */
    private final Duration clockSkew;
    private final Map<String, Long> revoked = new ConcurrentHashMap<>();
    private final AtomicLong lastSync = new AtomicLong(0);
    private volatile ReactivePubSubCommands.ReactiveRedisSubscriber subscriber;
    /** One resubscription loop at a time, and none after shutdown. */
    private final java.util.concurrent.atomic.AtomicBoolean resubscribing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean stopped;

    public RevocationList(ReactiveRedisDataSource redis, RevocationConfig config, MeterRegistry registry,
            @ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60") int clockSkewSeconds) {
        this.redis = redis;
        this.zset = redis.sortedSet(String.class);
        this.config = config;
        this.clockSkew = Duration.ofSeconds(Math.max(0, clockSkewSeconds));
        registry.gauge("portcullis.revocation.size", revoked, Map::size);
        registry.gauge("portcullis.revocation.staleness.seconds", lastSync,
                l -> l.get() == 0 ? -1 : (System.currentTimeMillis() - l.get()) / 1000.0);
    }

    void start(@jakarta.enterprise.event.Observes StartupEvent ignored) {
        if (!config.enabled()) {
            return;
        }
        resubscribing.set(true);
        subscribe();
    }

    /** Subscribes, then (once Redis acknowledged it) loads the list; on any failure, again in a second. */
    private void subscribe() {
        if (stopped) {
            return;
        }
        redis.pubsub(String.class).subscribe(config.channel(), this::onMessage, () -> lost(null), this::lost)
                .invoke(s -> {
                    subscriber = s;
                    resubscribing.set(false);
                })
                .chain(this::resync)
                .subscribe().with(x -> {
                }, e -> {
                    if (resubscribing.get()) {
                        retryLater(e); // not subscribed yet
                    } else {
                        LOG.warnf("revocation list: load after subscribing failed (%s); the next reload repairs it",
                                e.getMessage());
                    }
                });
    }

    /** The subscription ended ({@code failure} null: the connection closed) or could not be made. */
    private void lost(Throwable failure) {
        if (stopped || !resubscribing.compareAndSet(false, true)) {
            return; // stopping, or a resubscription loop already runs
        }
        subscriber = null;
        retryLater(failure);
    }

    private void retryLater(Throwable failure) {
        if (stopped) {
            return;
        }
        LOG.warnf("revocation channel lost (%s); subscribing again in a second",
                failure == null ? "connection closed" : failure.getMessage());
        io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool()
                .schedule(this::subscribe, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Messages are {@code sid|expiresAtMillis}. */
    void onMessage(String message) {
        int bar = message.indexOf('|');
        if (bar > 0) {
            try {
                revoked.put(message.substring(0, bar), Long.parseLong(message.substring(bar + 1)));
            } catch (NumberFormatException e) {
                LOG.warn("revocation channel: malformed message ignored");
            }
        }
    }

    @Scheduled(every = "${portcullis.revocation.resync-interval:15s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> resync() {
        if (!config.enabled()) {
            return Uni.createFrom().voidItem();
        }
        long now = System.currentTimeMillis();
        return zset.zrangebyscoreWithScores(config.key(), ScoreRange.from(now, Double.POSITIVE_INFINITY))
                .invoke(list -> {
                    Map<String, Long> fresh = new ConcurrentHashMap<>();
                    for (ScoredValue<String> v : list) {
                        fresh.put(v.value(), (long) v.score());
                    }
                    // keep what arrived by pub/sub during the reload, drop what expired
                    revoked.entrySet().removeIf(e -> e.getValue() < now && !fresh.containsKey(e.getKey()));
                    revoked.putAll(fresh);
                    lastSync.set(now);
                })
                .replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("revocation list reload failed: %s", e.getMessage()));
    }

    /** Whether the session {@code sid} has ended. */
    public boolean isRevoked(String sid) {
        Long until = revoked.get(sid);
        return until != null && until >= System.currentTimeMillis();
    }

    /** Whether the local copy is recent enough to be trusted (see {@link RevocationConfig}). */
    public boolean isFresh() {
        long last = lastSync.get();
        return last != 0 && System.currentTimeMillis() - last <= config.maxStaleness().toMillis();
    }

    /**
     * Ends sessions everywhere: records each sid until {@code tokenLifetime} and the verifiers' clock skew
     * from now (after which no token of it can be valid) and announces it. Used by auth-service.
     */
    public Uni<Void> revoke(Collection<String> sids, Duration tokenLifetime) {
        if (sids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        long until = System.currentTimeMillis() + tokenLifetime.plus(clockSkew).toMillis();
        Map<String, Double> members = new java.util.HashMap<>();
        sids.forEach(s -> members.put(s, (double) until));
        sids.forEach(sid -> revoked.put(sid, until));
        Uni<Void> stored = zset.zadd(config.key(), members).replaceWithVoid()
                .chain(() -> zset.zremrangebyscore(config.key(), ScoreRange.from(Double.NEGATIVE_INFINITY, System.currentTimeMillis()))
                        .replaceWithVoid());
        return stored.chain(() -> io.smallrye.mutiny.Multi.createFrom().iterable(sids)
                .onItem().transformToUniAndConcatenate(sid -> redis.pubsub(String.class).publish(config.channel(), sid + "|" + until))
                .collect().last().replaceWithVoid());
    }

    void stop(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent ignored) {
        stopped = true;
        ReactivePubSubCommands.ReactiveRedisSubscriber s = subscriber;
        if (s != null) {
            s.unsubscribe().subscribe().with(x -> {
            }, e -> {
            });
        }
    }
}
