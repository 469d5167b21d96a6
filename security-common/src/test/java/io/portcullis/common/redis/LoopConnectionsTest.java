package io.portcullis.common.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection per event loop ({@link LoopConnections}), against the real Redis: which connection
 * a command takes is read from Redis itself ({@code CLIENT ID}).
 */
@QuarkusTest
class LoopConnectionsTest {

    @Inject
    io.vertx.mutiny.redis.client.Redis redis;

    @Inject
    RedisOptionsCapture options;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.redis.hosts")
    String hosts;

    private LoopConnections loops;

    @BeforeEach
    void open() {
        loops = new LoopConnections(redis.getDelegate(), options.defaultClient().orElseThrow());
    }

    @AfterEach
    void close() {
        loops.close();
    }

    @Test
    void theOptionsAreThoseQuarkusBuiltForItsClient() {
        var captured = options.defaultClient().orElseThrow();
        assertEquals(hosts, captured.getEndpoint());
    }

    @Test
    void eachEventLoopGetsItsOwnConnectionAndKeepsIt() throws Exception {
        ContextInternal first = newLoopContext();
        ContextInternal second = newLoopContext();
        for (int i = 0; i < 16 && second.nettyEventLoop() == first.nettyEventLoop(); i++) {
            second = newLoopContext();
        }
        assertNotSame(first.nettyEventLoop(), second.nettyEventLoop(), "no second event loop");
        long a = ownConnection(first);
        long b = ownConnection(second);
        assertNotEquals(a, b, "two event loops share a connection");
        for (int i = 0; i < 20; i++) {
            assertEquals(a, clientId(first));
            assertEquals(b, clientId(second));
        }
        // off any event loop, commands go through the pool
        long pooled = loops.send(Request.cmd(Command.CLIENT).arg("ID")).toCompletionStage().toCompletableFuture()
                .get(5, TimeUnit.SECONDS).toLong();
        assertNotEquals(a, pooled);
        assertNotEquals(b, pooled);
    }

    @Test
    void manyCommandsInFlightOnOneConnectionGetTheirOwnAnswers() throws Exception {
        ContextInternal loop = newLoopContext();
        long id = ownConnection(loop);
        List<Response> answers = sendAtOnce(loop, 2_000, i -> Request.cmd(Command.ECHO).arg("answer-" + i));
        assertEquals(2_000, answers.size());
        for (int i = 0; i < answers.size(); i++) {
            assertEquals("answer-" + i, answers.get(i).toString());
        }
        assertEquals(id, clientId(loop), "the loop's connection changed during the burst");
    }

    @Test
    void commandsBeyondTheConnectionsQueueGoThroughThePoolInsteadOfFailing() throws Exception {
        loops.close();
        loops = new LoopConnections(redis.getDelegate(),
                new io.vertx.redis.client.RedisOptions(options.defaultClient().orElseThrow()).setMaxWaitingHandlers(4));
        ContextInternal loop = newLoopContext();
        long id = ownConnection(loop);
        List<Long> answeredBy = sendAtOnce(loop, 200, i -> Request.cmd(Command.CLIENT).arg("ID")).stream()
                .map(Response::toLong).toList();
        assertEquals(200, answeredBy.size());
        assertTrue(answeredBy.contains(id), "the loop's own connection took none");
        assertTrue(answeredBy.stream().anyMatch(other -> other != id), "nothing overflowed to the pool");
    }

    @Test
    void aConnectionThatRedisClosesIsReplaced() throws Exception {
        ContextInternal loop = newLoopContext();
        long id = ownConnection(loop);
        AuditOutbox.send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(Long.toString(id)));
        long replacement = ownConnection(loop, id);
        assertNotEquals(id, replacement);
    }

    @Test
    void aDiscardedConnectionIsClosedAndReplaced() throws Exception {
        ContextInternal loop = newLoopContext();
        long id = ownConnection(loop);
        onLoop(loop, v -> {
            loops.discard();
            return Future.succeededFuture();
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> !clientList().contains("id=" + id + " "));
        long replacement = ownConnection(loop, id);
        assertNotEquals(id, replacement);
    }

    private ContextInternal newLoopContext() {
        // each new event-loop context takes the next event loop in turn
        ContextInternal context = ((io.vertx.core.impl.VertxInternal) vertx).createEventLoopContext();
        assertTrue(context.isEventLoopContext());
        return context;
    }

    /** The loop's own connection, once it is open (the first commands go through the pool meanwhile). */
    private long ownConnection(ContextInternal loop) {
        return ownConnection(loop, -1);
    }

    private long ownConnection(ContextInternal loop, long not) {
        long[] id = { not };
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            clientId(loop); // the first command on a loop opens its connection
            if (!onLoop(loop, v -> Future.succeededFuture(loops.ownConnectionOpen()))) {
                return false;
            }
            id[0] = clientId(loop);
            return id[0] != not;
        });
        return id[0];
    }

    /** {@code n} commands sent from {@code loop} without waiting between them; their answers in order. */
    private List<Response> sendAtOnce(ContextInternal loop, int n, java.util.function.IntFunction<Request> command)
            throws Exception {
        return onLoop(loop, v -> {
            List<Future<Response>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(loops.send(command.apply(i)));
            }
            return Future.all(sent).map(all -> sent.stream().map(Future::result).toList());
        });
    }

    private long clientId(ContextInternal loop) throws Exception {
        Response r = onLoop(loop, v -> loops.send(Request.cmd(Command.CLIENT).arg("ID")));
        return r.toLong();
    }

    private String clientList() {
        return AuditOutbox.send(Request.cmd(Command.CLIENT).arg("LIST")).toString();
    }

    private static <T> T onLoop(ContextInternal loop, Function<Void, Future<T>> work) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        loop.runOnContext(v -> work.apply(null).onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete(ar.result());
            } else {
                done.completeExceptionally(ar.cause());
            }
        }));
        return done.get(10, TimeUnit.SECONDS);
    }
}
