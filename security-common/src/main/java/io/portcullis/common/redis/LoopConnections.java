package io.portcullis.common.redis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection per event loop, held for good, for a hot path that sends one command per
 * request: every command a loop sends goes down its own connection without waiting for the one before
 * (pipelined), so that Redis reads and answers many of them per system call, and no command waits to
 * lease a pooled connection. Commands sent off an event loop, or while a loop's connection is being
 * (re)opened, go through the pool as before.
 *
 * <p>A connection that fails or closes is dropped and opened again by the loop's next command. A caller
 * that gives up on an answer ({@link #discard}) drops the connection as well: answers come back in the
 * order the commands went out, so every command sent after one that goes unanswered would wait behind
 * it on a connection that has gone silent (a half-open socket, a stalled proxy); a fresh connection, or
 * the pool meanwhile, serves them instead.
 */
public final class LoopConnections {

    private static final Logger LOG = Logger.getLogger(LoopConnections.class);

    private static final long RETRY_NANOS = 1_000_000_000L;

    private final Redis pool;
    private final RedisOptions options;
    private final Map<EventLoop, Slot> slots = new ConcurrentHashMap<>();

    /**
     * @param pool    the shared pooled client, for commands off an event loop and while a loop's own
     *                connection is being opened
     * @param options the pooled client's options (its endpoints, password, TLS); each loop's client
     *                gets a copy with a pool of one connection
     */
    public LoopConnections(Redis pool, RedisOptions options) {
        this.pool = pool;
        this.options = new RedisOptions(options).setMaxPoolSize(1);
    }

    /** A loop's own client and its one connection; changed only on that loop. */
    private static final class Slot {
        volatile Redis client;
        volatile RedisConnection connection;
        boolean opening;
        long retryAt;
    }

    /** Sends {@code request} down the current event loop's own connection, or through the pool. */
    public Future<Response> send(Request request) {
        ContextInternal context = eventLoopContext();
        if (context == null) {
            return pool.send(request);
        }
        Slot slot = slots.computeIfAbsent(context.nettyEventLoop(), l -> new Slot());
        RedisConnection own = slot.connection;
        if (own != null) {
            // beyond maxWaitingHandlers in flight (a Redis that slows down under a burst), the pool takes the
            // overflow and its waiting queue, rather than the command failing as if Redis were down
            return own.pendingQueueFull() ? pool.send(request) : own.send(request);
        }
        if (!slot.opening && System.nanoTime() - slot.retryAt >= 0) {
            open(context.unwrap(), slot);
        }
        return pool.send(request);
    }

    private static ContextInternal eventLoopContext() {
        Context context = Vertx.currentContext();
        if (context instanceof ContextInternal internal && context.isEventLoopContext() && internal.nettyEventLoop().inEventLoop()) {
            return internal;
        }
        return null;
    }

    /** Opens the loop's client on the loop's own context, so that its connection reads and answers there. */
    private void open(ContextInternal loop, Slot slot) {
        slot.opening = true;
        loop.runOnContext(v -> {
            Redis client = Redis.createClient(loop.owner(), options);
            client.connect().onComplete(ar -> {
                slot.opening = false;
                if (ar.failed()) {
                    // a second from now, the next command tries again; meanwhile the pool serves, or fails, as before
                    slot.retryAt = System.nanoTime() + RETRY_NANOS;
                    client.close();
                    return;
                }
                RedisConnection c = ar.result();
                c.exceptionHandler(e -> drop(slot, client));
                c.endHandler(end -> drop(slot, client));
                slot.client = client;
                slot.connection = c;
            });
        });
    }

    private static void drop(Slot slot, Redis client) {
        if (slot.client == client) {
            slot.client = null;
            slot.connection = null;
        }
        client.close(); // closes the socket: commands still waiting on it fail at once
    }

    /**
     * The caller stopped waiting for a command it sent on the current event loop (a timeout): that loop's
     * connection is closed (failing what still waits on it), so that later commands do not queue behind
     * a connection that has gone silent.
     */
    public void discard() {
        ContextInternal context = eventLoopContext();
        Slot slot = context == null ? null : slots.get(context.nettyEventLoop());
        if (slot != null && slot.client != null) {
            LOG.debug("dropping this event loop's Redis connection after a command went unanswered");
            drop(slot, slot.client);
        }
    }

    /** Whether the current event loop's own connection is open (for tests). */
    boolean ownConnectionOpen() {
        ContextInternal context = eventLoopContext();
        Slot slot = context == null ? null : slots.get(context.nettyEventLoop());
        return slot != null && slot.connection != null;
    }

    /** How many event loops have their own connection open now (a gauge). */
    public int openConnections() {
        int open = 0;
        for (Slot slot : slots.values()) {
            if (slot.connection != null) {
                open++;
            }
        }
        return open;
    }

    /** Closes every loop's connection (at shutdown). */
    public void close() {
        slots.values().forEach(slot -> {
            Redis client = slot.client;
            if (client != null) {
                client.close();
            }
        });
    }
}
