package io.portcullis.secrets.service;

import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code portcullis_secrets_operations_total{operation, outcome}},
 * {@code portcullis_secrets_decrypt_failures_total{reason}}, {@code portcullis_secrets_write_retries_total}
 * and {@code portcullis_secrets_rewrapped_total}. Tags come from fixed vocabularies;
 * never a path, a value or anything a client chose.
 */
@ApplicationScoped
public class SecretsMetrics {

    public static final String SUCCESS = "success";
    public static final String DENIED = "denied";
    public static final String FAILURE = "failure";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    public SecretsMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void operation(String operation, String outcome) {
        counters.computeIfAbsent(operation + '|' + outcome, k -> Counter.builder("portcullis.secrets.operations")
                .description("Secret operations by type and outcome").tag("operation", operation).tag("outcome", outcome)
                .register(registry)).increment();
    }

    public void decryptFailure(String reason) {
        counters.computeIfAbsent("decrypt|" + reason, k -> Counter.builder("portcullis.secrets.decrypt.failures")
                .description("Stored secrets that failed authentication when opened").tag("reason", reason)
                .register(registry)).increment();
    }

    /** A write attempt that lost to another writer of the same path and was repeated. */
    public void writeRetried() {
        counters.computeIfAbsent("write-retried", k -> Counter.builder("portcullis.secrets.write.retries")
                .description("Write attempts repeated because another writer of the path came first").register(registry))
                .increment();
    }

    public void rewrapped(long n) {
        counters.computeIfAbsent("rewrapped", k -> Counter.builder("portcullis.secrets.rewrapped")
                .description("Data keys rewrapped under the active KEK").register(registry)).increment(n);
    }
}
