package io.portcullis.common.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.redis.client.impl.types.ErrorType;

/** What the Redis and PostgreSQL clients really fail with when the dependency is down, and what is not that. */
class DependencyFailuresTest {

    @ParameterizedTest
    @ValueSource(strings = { "LOADING Redis is loading the dataset in memory", "READONLY You can't write against a read only replica.",
            "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", "CONNECTION_CLOSED",
            "TRYAGAIN Multiple keys request during rehashing of slot", "BUSY Redis is busy running a script." })
    void redisRepliesThatMeanItCannotServeNowAre503(String reply) {
        assertEquals(503, DependencyFailures.statusFor(ErrorType.create(reply)));
        assertEquals(503, DependencyFailures.statusFor(new CompletionException(ErrorType.create(reply))), "wrapped too");
    }

    @ParameterizedTest
    @ValueSource(strings = { "WRONGTYPE Operation against a key holding the wrong kind of value", "ERR unknown command",
            "NOSCRIPT No matching script." })
    void redisRepliesThatMeanABugAreNot(String reply) {
        assertEquals(0, DependencyFailures.statusFor(ErrorType.create(reply)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Connection is closed", "Redis waiting queue is full", "Timeout" })
    void clientsGivingOutAre503(String message) {
        assertEquals(503, DependencyFailures.statusFor(new RuntimeException(new NoStackTraceThrowable(message))));
    }

    @Test
    void anythingElseIsNot() {
        assertEquals(0, DependencyFailures.statusFor(new NoStackTraceThrowable("something else")));
        assertEquals(0, DependencyFailures.statusFor(new IllegalStateException("Timeout")));
        assertEquals(503, DependencyFailures.statusFor(new java.net.ConnectException("Connection refused")));
    }

    /** A connection the database killed under a request (pg_terminate_backend, a restart) surfaces as a reset. */
    @Test
    void aConnectionResetUnderARequestIs503() {
        assertEquals(503, DependencyFailures.statusFor(new RuntimeException(new java.net.SocketException("Connection reset"))));
        assertEquals(503, DependencyFailures.statusFor(new java.net.SocketException("Broken pipe")));
    }
}
