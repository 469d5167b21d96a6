package io.portcullis.load;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor of what any JVM proxy costs here: a bare Vert.x reverse proxy with no checks at all
 * (no key, no limit, no headers, no metrics), as many event loops as the gateway. Only for the
 * benchmark's context: it tells how much of the gateway's cost is proxying itself.
 */
public final class BareProxy {

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        // optional: one rate-limit script call per request, against this Redis (port, password)
        Integer redisPort = args.length > 2 ? Integer.valueOf(args[2]) : null;
        String redisPassword = args.length > 3 ? args[3] : null;
        if (redisPort != null) {
            io.vertx.redis.client.Redis loader = io.vertx.redis.client.Redis.createClient(Vertx.vertx(),
                    new io.vertx.redis.client.RedisOptions().setConnectionString("redis://127.0.0.1:" + redisPort).setPassword(redisPassword));
            SHA = loader.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.SCRIPT).arg("LOAD").arg(SCRIPT))
                    .toCompletionStage().toCompletableFuture().join().toString();
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2 * Runtime.getRuntime().availableProcessors()));
        {
            vertx.deployVerticle(() -> new io.vertx.core.AbstractVerticle() {
                @Override
                public void start() {
                    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(256).setKeepAlive(true)
                            .setTcpNoDelay(true));
                    io.vertx.redis.client.Redis redis = redisPort == null ? null : io.vertx.redis.client.Redis.createClient(vertx,
                            new io.vertx.redis.client.RedisOptions().setConnectionString("redis://127.0.0.1:" + redisPort)
                                    .setPassword(redisPassword).setMaxPoolSize(16).setMaxPoolWaiting(4096));
                    vertx.createHttpServer().requestHandler(req -> {
                        req.pause();
                        if (redis == null) {
                            forward(req, client, upstream);
                            return;
                        }
                        redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.EVALSHA).arg(SHA).arg(1)
                                .arg("bench:{k}").arg("").arg(1000000000).arg(60000000))
                                .onSuccess(r -> forward(req, client, upstream))
                                .onFailure(e -> req.response().setStatusCode(503).end());
                    }).listen(port, "127.0.0.1");
                }
            }, new io.vertx.core.DeploymentOptions().setInstances(2 * Runtime.getRuntime().availableProcessors()));
        }
    }

    static final String SCRIPT = loadScript();
    static String SHA;

    static String loadScript() {
        try (var in = BareProxy.class.getResourceAsStream("/rate-limit.lua")) {
            return in == null ? "return 1" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "return 1";
        }
    }

    static void forward(io.vertx.core.http.HttpServerRequest req, HttpClient client, int upstream) {
                        client.request(new RequestOptions().setHost("127.0.0.1").setPort(upstream).setMethod(req.method())
                                .setURI(req.uri())).onSuccess(creq -> {
                                    creq.headers().setAll(req.headers());
                                    creq.send(req).onSuccess(cres -> {
                                        req.response().setStatusCode(cres.statusCode()).headers().setAll(cres.headers());
                                        req.response().send(cres);
                                    }).onFailure(e -> req.response().setStatusCode(502).end());
                                }).onFailure(e -> req.response().setStatusCode(502).end());
    }
}
