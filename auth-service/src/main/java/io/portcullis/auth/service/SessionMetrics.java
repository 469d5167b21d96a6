package io.portcullis.auth.service;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.auth.repository.SessionStore;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** {@code portcullis_auth_sessions_active}: sessions alive now, refreshed every 15 seconds. */
@ApplicationScoped
public class SessionMetrics {

    private final SessionStore sessions;
    private final AtomicLong active = new AtomicLong();

    public SessionMetrics(SessionStore sessions, MeterRegistry registry) {
        this.sessions = sessions;
        registry.gauge("portcullis.auth.sessions.active", active);
    }

    @Scheduled(every = "15s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refresh() {
        return sessions.countLive().invoke(active::set).onFailure().recoverWithNull().replaceWithVoid();
    }
}
