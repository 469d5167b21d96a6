package io.portcullis.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * The floor of what any JVM proxy costs here: a bare Vert.x reverse proxy with no checks at all
 * (no key, no limit, no headers, no metrics), as many event loops as the gateway. Only for the
 * benchmark's context: it tells how much of the gateway's cost is proxying itself.
 *
 * <pre>BareProxy port upstream-port [redis-port redis-password [per-loop]]</pre>
 *
 * With a Redis, each request first makes one EVALSHA of the gateway's own rate-limit script: through a
 * pooled client, or with {@code per-loop} down one connection per event loop, opened on that loop (what
 * the gateway does, {@code LoopConnections}).
 */
public final class BareProxy {

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        RedisOptions redisOptions = args.length > 2
                ? new RedisOptions().setConnectionString("redis://127.0.0.1:" + args[2]).setPassword(args[3])
                        .setMaxPoolSize(16).setMaxPoolWaiting(4096)
                : null;
        int loops = 2 * Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        String sha = redisOptions == null ? null
                : Redis.createClient(vertx, redisOptions).send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script()))
                        .toCompletionStage().toCompletableFuture().join().toString();
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(io.vertx.core.Promise<Void> started) {
                HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(256).setKeepAlive(true)
                        .setTcpNoDelay(true));
                Redis redis = redisOptions == null ? null : Redis.createClient(vertx, redisOptions);
                // "per-loop": one connection of this event loop's own, every command of the loop on it (pipelined)
                io.vertx.core.Future<io.vertx.redis.client.RedisConnection> own = redis != null && args.length > 4
                        ? redis.connect() : io.vertx.core.Future.succeededFuture();
                own.compose(conn -> vertx.createHttpServer().requestHandler(req -> {
                    req.pause();
                    if (redis == null) {
                        forward(req, client, upstream);
                        return;
                    }
                    Request evalsha = Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg("bench:{k}").arg("").arg(1000000000).arg(60000000);
                    (conn != null ? conn.send(evalsha) : redis.send(evalsha))
                            .onSuccess(r -> forward(req, client, upstream))
                            .onFailure(e -> req.response().setStatusCode(503).end());
                }).listen(port, "127.0.0.1")).<Void>mapEmpty().onComplete(started);
            }
        }, new DeploymentOptions().setInstances(loops));
    }

    /** The gateway's own script (load-tests/pom.xml copies it in); without it this comparison is void. */
    static String script() {
        try (InputStream in = BareProxy.class.getResourceAsStream("/rate-limit.lua")) {
            if (in == null) {
                throw new IllegalStateException("rate-limit.lua is not on the classpath: build with ./mvnw -f load-tests/pom.xml package");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void forward(HttpServerRequest req, HttpClient client, int upstream) {
        client.request(new RequestOptions().setHost("127.0.0.1").setPort(upstream).setMethod(req.method()).setURI(req.uri()))
                .onSuccess(creq -> {
                    creq.headers().setAll(req.headers());
                    creq.send(req).onSuccess(cres -> {
                        req.response().setStatusCode(cres.statusCode()).headers().setAll(cres.headers());
                        req.response().send(cres);
                    }).onFailure(e -> req.response().setStatusCode(502).end());
                }).onFailure(e -> req.response().setStatusCode(502).end());
    }
}
