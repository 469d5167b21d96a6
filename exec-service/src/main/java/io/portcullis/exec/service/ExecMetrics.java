package io.portcullis.exec.service;

import java.time.Duration;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The exec-service's meters (Prometheus names in the README). Tags are only ever catalog action
 * names and fixed words, never client input, so their number stays bounded.
 */
@ApplicationScoped
public class ExecMetrics {

    private final MeterRegistry registry;

    public ExecMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** {@code portcullis_exec_jobs_total{action,outcome}}: finished jobs. */
    public void finished(String action, String outcome, Duration duration) {
        Counter.builder("portcullis.exec.jobs").description("Finished jobs by action and outcome")
                .tag("action", action).tag("outcome", outcome).register(registry).increment();
        Timer.builder("portcullis.exec.job.duration").description("Run time of jobs, from process start to exit or kill")
                .tag("action", action).tag("outcome", outcome).publishPercentileHistogram(false)
                .register(registry).record(duration);
    }

    /** {@code portcullis_exec_queue_wait_seconds}: from accepted to started. */
    public void queueWait(Duration wait) {
        Timer.builder("portcullis.exec.queue.wait").description("Time jobs waited for a worker").register(registry).record(wait);
    }

    /** {@code portcullis_exec_spawns_total{action}}: processes started for jobs. */
    public void spawned(String action) {
        Counter.builder("portcullis.exec.spawns").description("Processes started for jobs, by action")
                .tag("action", action).register(registry).increment();
    }

    /** {@code portcullis_exec_refused_total{reason}}: submissions refused before any process. */
    public void refused(String reason) {
        Counter.builder("portcullis.exec.refused").description("Job submissions refused, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    /** Registers a gauge such as the queue depth. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }
}
