package io.portcullis.gateway;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP relay between the gateway and Redis that a test can cut: "Redis is down" as the gateway
 * sees it (connections drop, new ones are refused), without touching the real Redis.
 */
public final class RedisRelay {

    private static final String CONTROL = "gateway.test.redis-relay-control";

    private volatile boolean up = true;
    /** Connections stay open, but nothing passes either way: a Redis that hangs. */
    private volatile boolean silent;
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();

    private final Vertx vertx;
    private final String targetHost;
    private final int targetPort;
    private NetServer server;

    public RedisRelay(Vertx vertx, String targetHost, int targetPort) {
        this.vertx = vertx;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    public int start() throws Exception {
        NetClient client = vertx.createNetClient();
        server = vertx.createNetServer().connectHandler(in -> {
            if (!up) {
                in.close();
                return;
            }
            in.pause();
            open.add(in);
            client.connect(targetPort, targetHost).onSuccess(out -> {
                open.add(out);
                in.handler(b -> {
                    if (!silent) {
                        out.write(b);
                    }
                });
                out.handler(b -> {
                    if (!silent) {
                        in.write(b);
                    }
                });
                in.closeHandler(v -> {
                    open.remove(in);
                    out.close();
                });
                out.closeHandler(v -> {
                    open.remove(out);
                    in.close();
                });
                in.resume();
            }).onFailure(e -> in.close());
        });
        // tests and this resource may live in different class loaders: they switch it over HTTP
        int control = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/down")) {
                cut();
            } else if (req.path().equals("/silent")) {
                silent = true;
            } else {
                if (silent) { // commands swallowed while silent would leave the clients' replies out of step
                    cut();
                    silent = false;
                }
                up = true;
            }
            req.response().end();
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        System.setProperty(CONTROL, Integer.toString(control));
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    private void cut() {
        up = false;
        open.forEach(NetSocket::close);
        open.clear();
    }

    /** Cuts every connection to Redis and refuses new ones. */
    public static void down() {
        control("/down");
    }

    /** Keeps every connection open but lets nothing through: Redis hangs rather than goes away. */
    public static void silent() {
        control("/silent");
    }

    public static void up() {
        control("/up");
    }

    private static void control(String path) {
        String port = System.getProperty(CONTROL);
        if (port == null) {
            return;
        }
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            throw new IllegalStateException("cannot switch the Redis relay", e);
        }
    }
}
