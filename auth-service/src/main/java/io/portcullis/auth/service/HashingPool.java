package io.portcullis.auth.service;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.auth.config.PasswordConfig;
import io.portcullis.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * Where password hashes are computed: a fixed pool with one thread per core (or
 * {@code portcullis.passwords.hashing-threads}) and a bounded queue. Hashing never runs on the event
 * loop, never on more threads than the machine can run, and a login storm queues up to
 * {@code hashing-queue} and then gets a 503 with {@code Retry-After} instead of exhausting the heap
 * (each Argon2id hash holds 19 MiB while it runs). A hash whose request was cancelled while it queued
 * (the client hung up: Quarkus REST cancels the subscription) is skipped, so a storm of clients that
 * give up does not keep the cores busy for nobody.
 */
@ApplicationScoped
public class HashingPool {

    private final ThreadPoolExecutor executor;
    private final io.micrometer.core.instrument.Counter abandoned;

    public HashingPool(PasswordConfig config, MeterRegistry registry) {
        int threads = config.hashingThreads().orElse(Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.hashingQueue()), r -> {
                    Thread t = new Thread(r, "password-hashing-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        registry.gauge("portcullis.auth.hashing.queue", executor, e -> e.getQueue().size());
        registry.gauge("portcullis.auth.hashing.active", executor, ThreadPoolExecutor::getActiveCount);
        this.abandoned = io.micrometer.core.instrument.Counter.builder("portcullis.auth.hashing.abandoned")
                .description("Hashes not computed because their request was cancelled (the client hung up) while they queued")
                .register(registry);
    }

    /**
     * Runs {@code work} on the pool; fails with a 503 problem when the queue is full. The result is
     * delivered back on the caller's Vert.x context, where Hibernate Reactive and Redis calls belong.
     */
    public <T> Uni<T> submit(Supplier<T> work) {
        io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
        Uni<T> result = Uni.createFrom().emitter(emitter -> {
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            emitter.onTermination(() -> ended.set(true)); // before the task completes it: only a cancellation
            try {
                executor.execute(() -> {
                    if (ended.get()) {
                        abandoned.increment(); // its client hung up while it queued: nobody wants the hash
                        return;
                    }
                    try {
                        emitter.complete(work.get());
                    } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                        emitter.fail(e); // never a request left without an answer
                    }
                });
            } catch (RejectedExecutionException e) {
                emitter.fail(new ProblemException(503, "busy", "Service busy",
                        "Too many logins at once; retry shortly.", null, java.util.Map.of("Retry-After", "1")));
            }
        });
        return caller == null ? result : result.emitOn(command -> caller.runOnContext(v -> command.run()));
    }

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }
}
