package io.portcullis.gateway.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;

/**
 * The HTTP clients the gateway forwards with: one per event loop, each with its share of the
 * connections and waiting places, so that a request is written, and its answer read, on the event loop
 * that took it. Vert.x's client hands out the most recently used free connection whichever loop it lives
 * on, so with one client for all loops a request usually crosses to another loop to be sent and crosses
 * back with every part of its answer. Like the connection pools of nginx's worker processes and Envoy's
 * worker threads, the shares are not lent between loops: a loop whose connections are all busy queues
 * its requests even when another loop has one free.
 *
 * <p>When the limits are too small to share out (fewer connections or waiting places than event loops),
 * one client serves every loop, so that the limits hold exactly as configured. Requests made off an
 * event loop use that shared client too.
 */
public final class UpstreamClients implements AutoCloseable {

    private final Vertx vertx;
    private final HttpClient shared;
    private final HttpClientOptions perLoop;
    private final Map<EventLoop, HttpClient> clients = new ConcurrentHashMap<>();

    /**
     * @param options        the clients' options; its pool size and wait queue are replaced by the limits below
     * @param maxConnections connections per upstream, in all
     * @param maxWaiting     requests that may wait for a connection per upstream, in all
     */
    public UpstreamClients(Vertx vertx, HttpClientOptions options, int maxConnections, int maxWaiting) {
        this.vertx = vertx;
        this.shared = vertx.createHttpClient(new HttpClientOptions(options).setMaxPoolSize(maxConnections)
                .setMaxWaitQueueSize(maxWaiting));
        int loops = 0;
        for (EventExecutor ignored : ((VertxInternal) vertx).getEventLoopGroup()) {
            loops++;
        }
        this.perLoop = loops > 1 && maxConnections >= loops && maxWaiting >= loops
                ? new HttpClientOptions(options).setMaxPoolSize(maxConnections / loops).setMaxWaitQueueSize(maxWaiting / loops)
                : null;
    }

    /** The client for a request made on the current thread. */
    public HttpClient here() {
        ContextInternal ctx = ContextInternal.current();
        if (perLoop == null || ctx == null || !ctx.isEventLoopContext()) {
            return shared;
        }
        return clients.computeIfAbsent(ctx.nettyEventLoop(), loop -> vertx.createHttpClient(perLoop));
    }

    /** Each loop's share of the connections per upstream, or 0 when one client serves all loops. */
    public int connectionsPerLoop() {
        return perLoop == null ? 0 : perLoop.getMaxPoolSize();
    }

    /** How many event loops have a client of their own so far. */
    public int loopClients() {
        return clients.size();
    }

    @Override
    public void close() {
        shared.close();
        clients.values().forEach(HttpClient::close);
    }
}
