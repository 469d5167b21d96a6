package io.portcullis.common.problem;

import java.util.Set;

import io.vertx.pgclient.PgException;

/**
 * What an exception that escaped a resource says about the services this one depends on, so that a
 * downed database or Redis is answered 503 (retry) and a lost race 409, never a 500 that blames the
 * caller's request. Walks the cause chain (Hibernate Reactive and Mutiny wrap what the client threw).
 */
public final class DependencyFailures {

    /** SQLSTATE classes that mean the database cannot serve now: connection, login, resources, operator. */
    private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "28", "53", "57");

    /** SQLSTATEs of a write that lost a race to a concurrent one: unique violation, serialization, deadlock. */
    private static final Set<String> CONFLICTS = Set.of("23505", "40001", "40P01");

    /**
     * Redis error replies that mean it cannot serve now: a command cut off by its connection closing,
     * the dataset still loading after a restart, a replica or a failover under way, a script running.
     */
    private static final Set<String> REDIS_UNAVAILABLE = Set.of("CONNECTION_CLOSED", "LOADING", "READONLY", "MASTERDOWN",
            "TRYAGAIN", "CLUSTERDOWN", "BUSY", "NOREPLICAS");

    /** What the Vert.x clients fail with, with no type of their own, when a connection or a pool gives out. */
    private static final Set<String> CLIENT_UNAVAILABLE = Set.of("Connection is closed", "Connection closed",
            "Redis waiting queue is full", "Timeout");

    private DependencyFailures() {
    }

    /** 503 for a dependency that is down, 409 for a lost race, 0 for anything else. */
    public static int statusFor(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 12; depth++, t = t.getCause()) {
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                String state = pg.getSqlState();
                if (CONFLICTS.contains(state)) {
                    return 409;
                }
                // FATAL ends the connection itself (the database refusing connections is 55000, say)
                if ("FATAL".equals(pg.getSeverity()) || "PANIC".equals(pg.getSeverity())
                        || state.length() >= 2 && UNAVAILABLE_CLASSES.contains(state.substring(0, 2))) {
                    return 503;
                }
                return 0;
            }
            if (t instanceof io.vertx.redis.client.impl.types.ErrorType) {
                String message = t.getMessage() == null ? "" : t.getMessage();
                int space = message.indexOf(' ');
                return REDIS_UNAVAILABLE.contains(space < 0 ? message : message.substring(0, space)) ? 503 : 0;
            }
            if ((t instanceof io.vertx.core.impl.NoStackTraceThrowable || t instanceof io.vertx.core.impl.NoStackTraceTimeoutException)
                    && CLIENT_UNAVAILABLE.contains(t.getMessage())) {
                return 503;
            }
            // a refused connection, or one the database or Redis reset or broke off (a restart, a failover,
            // pg_terminate_backend): java.net.SocketException covers ConnectException and "Connection reset"
            if (t instanceof java.net.SocketException || t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof io.netty.channel.ConnectTimeoutException
                    || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException
                    || t instanceof io.vertx.sqlclient.ClosedConnectionException) {
                return 503;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return 0;
    }
}
