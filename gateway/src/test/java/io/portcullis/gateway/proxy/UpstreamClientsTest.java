package io.portcullis.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;

/**
 * The gateway's upstream clients ({@link UpstreamClients}) against a real HTTP server that tells which
 * connection each request came over (the client's port), on a Vert.x of two event loops.
 */
class UpstreamClientsTest {

    private Vertx vertx;
    private HttpServer server;
    private int port;
    private final ConcurrentLinkedQueue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();
    private UpstreamClients clients;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        server = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/hold")) {
                held.add(req); // answered by the test
                return;
            }
            req.response().end(Integer.toString(req.remoteAddress().port()));
        });
        port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (clients != null) {
            clients.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void eachEventLoopForwardsOverConnectionsOfItsOwn() throws Exception {
        clients = new UpstreamClients(vertx, new HttpClientOptions(), 8, 8);
        assertEquals(4, clients.connectionsPerLoop(), "8 connections shared out over 2 loops");
        ContextInternal[] loops = twoLoops();
        Set<String> first = new HashSet<>();
        Set<String> second = new HashSet<>();
        // one after the other, alternating: a single pool would hand both loops its one idle connection
        for (int i = 0; i < 10; i++) {
            first.add(getOn(loops[0], "/port"));
            second.add(getOn(loops[1], "/port"));
        }
        assertEquals(1, first.size(), "one loop's requests, one at a time, take one connection: " + first);
        assertEquals(1, second.size(), "one loop's requests, one at a time, take one connection: " + second);
        assertNotEquals(first, second, "two loops share a connection");
        assertEquals(2, clients.loopClients());
        assertSame(on(loops[0], () -> clients.here()), on(loops[0], () -> clients.here()));
        assertNotSame(on(loops[0], () -> clients.here()), on(loops[1], () -> clients.here()));
    }

    @Test
    void aLoopHasItsShareOfTheConnectionsAndWaitingPlacesAndBeyondThemIsRefused() throws Exception {
        clients = new UpstreamClients(vertx, new HttpClientOptions(), 4, 2); // 2 connections and 1 waiting place per loop
        assertEquals(2, clients.connectionsPerLoop());
        ContextInternal[] loops = twoLoops();
        List<CompletableFuture<String>> holding = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            holding.add(send(loops[0], "/hold"));
        }
        await(() -> held.size() == 2); // the loop's two connections are busy
        CompletableFuture<String> waiting = send(loops[0], "/hold");
        Throwable refused = send(loops[0], "/hold").handle((ok, e) -> e).get(10, TimeUnit.SECONDS);
        assertInstanceOf(ConnectionPoolTooBusyException.class, refused, "a third in the queue of one: " + refused);
        // the other loop's share is its own
        assertTrue(getOn(loops[1], "/port").matches("\\d+"));
        assertEquals(2, held.size(), "the one waiting has no connection yet");
        held.poll().response().end("done");
        await(() -> held.size() == 2); // the waiting request took the connection freed
        held.forEach(r -> r.response().end("done"));
        for (CompletableFuture<String> f : holding) {
            assertEquals("done", f.get(10, TimeUnit.SECONDS));
        }
        assertEquals("done", waiting.get(10, TimeUnit.SECONDS));
    }

    @Test
    void limitsTooSmallToShareOutKeepOneClientForAllLoops() throws Exception {
        clients = new UpstreamClients(vertx, new HttpClientOptions(), 1, 8);
        assertEquals(0, clients.connectionsPerLoop());
        ContextInternal[] loops = twoLoops();
        Set<String> ports = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            ports.add(getOn(loops[0], "/port"));
            ports.add(getOn(loops[1], "/port"));
        }
        assertEquals(1, ports.size(), "the one connection configured serves both loops: " + ports);
        assertEquals(0, clients.loopClients());
        assertSame(clients.here(), on(loops[0], () -> clients.here()), "off a loop and on it: the shared client");
    }

    private ContextInternal[] twoLoops() {
        VertxInternal v = (VertxInternal) vertx;
        ContextInternal a = v.createEventLoopContext();
        ContextInternal b = v.createEventLoopContext();
        for (int i = 0; i < 16 && b.nettyEventLoop() == a.nettyEventLoop(); i++) {
            b = v.createEventLoopContext();
        }
        assertNotSame(a.nettyEventLoop(), b.nettyEventLoop(), "no second event loop");
        return new ContextInternal[] { a, b };
    }

    /** GETs {@code path} from {@code ctx}'s loop, through the client {@link UpstreamClients#here} gives there. */
    private CompletableFuture<String> send(ContextInternal ctx, String path) {
        CompletableFuture<String> result = new CompletableFuture<>();
        ctx.runOnContext(v -> clients.here()
                .request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path))
                .compose(r -> r.send()).compose(r -> r.body())
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        result.complete(ar.result().toString());
                    } else {
                        result.completeExceptionally(ar.cause());
                    }
                }));
        return result;
    }

    private String getOn(ContextInternal ctx, String path) throws Exception {
        return send(ctx, path).get(10, TimeUnit.SECONDS);
    }

    private static <T> T on(ContextInternal ctx, java.util.function.Supplier<T> work) throws Exception {
        return Future.<T>future(p -> ctx.runOnContext(v -> p.complete(work.get()))).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(condition);
    }
}
