package io.portcullis.gateway;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A stand-in for the services behind the gateway (outside the gateway's suite under test): it tells
 * what it received. {@code .../slow} answers after 3 s, {@code .../big} streams 2 MiB,
 * {@code .../status/NNN} answers NNN, {@code .../created} a 201 with a {@code Location} built from
 * its {@code Host} and a request id of its own, anything else echoes method, path, query, headers and body size.
 */
public final class StubUpstream {

    /** How many {@code .../slow} requests have arrived, in this JVM: a test can wait for one to hold its connection. */
    public static final java.util.concurrent.atomic.AtomicInteger SLOW_RECEIVED = new java.util.concurrent.atomic.AtomicInteger();

    private final Vertx vertx;
    private HttpServer server;

    public StubUpstream(Vertx vertx) {
        this.vertx = vertx;
    }

    public int start(HttpServerOptions options) throws Exception {
        return start(options, "127.0.0.1");
    }

    /** Listening on {@code host} (another loopback address, say, that a certificate does not name). */
    public int start(HttpServerOptions options, String host) throws Exception {
        server = vertx.createHttpServer(options.setPort(0).setHost(host)).requestHandler(req -> {
            String path = req.path();
            if (path.endsWith("/slow")) {
                SLOW_RECEIVED.incrementAndGet();
                vertx.setTimer(3000, t -> req.response().end("late"));
                return;
            }
            if (path.endsWith("/big")) {
                req.response().setChunked(true);
                Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
                for (int i = 0; i < 32; i++) {
                    req.response().write(chunk);
                }
                req.response().end();
                return;
            }
            if (path.endsWith("/created")) { // as RESTEasy answers a POST: Location from the Host it was sent
                req.response().setStatusCode(201).putHeader("Location", "http://" + req.getHeader("Host") + path + "/42")
                        .putHeader("X-Request-Id", "upstream-made-this-up").end();
                return;
            }
            int at = path.indexOf("/status/");
            if (at >= 0) {
                req.response().setStatusCode(Integer.parseInt(path.substring(at + 8))).end();
                return;
            }
            long[] size = { 0 };
            req.handler(b -> size[0] += b.length());
            req.endHandler(v -> {
                JsonArray headers = new JsonArray();
                req.headers().forEach(h -> headers.add(new JsonObject().put("name", h.getKey().toLowerCase()).put("value", h.getValue())));
                JsonObject echo = new JsonObject().put("method", req.method().name()).put("uri", req.uri()).put("path", path)
                        .put("query", req.query()).put("headers", headers).put("bodySize", size[0]);
                req.response().putHeader("Content-Type", "application/json")
                        .putHeader("Server", "stub/1.0")
                        .putHeader("X-Upstream", "stub")
                        .putHeader("Connection", "keep-alive, X-Hop-Secret")
                        .putHeader("X-Hop-Secret", "should-not-pass")
                        .end(echo.encode());
            });
        });
        return server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
