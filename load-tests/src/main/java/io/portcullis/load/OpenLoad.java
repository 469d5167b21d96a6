package io.portcullis.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * A constant-rate (open-model) load: requests are sent on a fixed schedule whatever the answers do,
 * and each latency is measured from when the request was due, not from when it could be sent, so a
 * stall shows in the percentiles (no coordinated omission). Prints achieved rate and percentiles.
 *
 * <pre>OpenLoad url rate-per-second seconds [header:value ...]</pre>
 */
public final class OpenLoad {

    public static void main(String[] args) throws Exception {
        java.net.URI url = java.net.URI.create(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        List<String[]> headers = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            int colon = args[i].indexOf(':');
            headers.add(new String[] { args[i].substring(0, colon), args[i].substring(colon + 1) });
        }
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(256).setKeepAlive(true)
                .setPipelining(false).setTcpNoDelay(true));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(url.getHost()).setPort(url.getPort())
                .setURI(url.getRawPath());
        headers.forEach(h -> options.addHeader(h[0], h[1]));
        // warm-up at the same rate, not recorded: a cold JVM on either side is not what we measure
        run(vertx, client, options, rate, Math.min(5, seconds), new Histogram(TimeUnit.SECONDS.toNanos(30), 3));
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        long total = (long) rate * seconds;
        long[] okFailed = run(vertx, client, options, rate, seconds, latency);
        double elapsed = okFailed[2] / 1e9;
        System.out.printf("rate=%d/s sent=%d ok=%d failed=%d achieved=%.0f/s p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms%n",
                rate, total, okFailed[0], okFailed[1], total / elapsed, ms(latency.getValueAtPercentile(50)),
                ms(latency.getValueAtPercentile(90)), ms(latency.getValueAtPercentile(99)),
                ms(latency.getValueAtPercentile(99.9)), ms(latency.getMaxValue()));
        vertx.close();
    }

    /**
     * Sends {@code rate * seconds} requests on schedule (a 1 ms tick sends every request that is due),
     * records each latency from when it was due into {@code latency}, and returns {ok, failed, nanoseconds
     * from the first request due to the last answer}.
     */
    static long[] run(Vertx vertx, HttpClient client, RequestOptions options, int rate, int seconds, Histogram latency)
            throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long total = (long) rate * seconds;
        CountDownLatch done = new CountDownLatch((int) total);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long[] next = { 0 };
        vertx.setPeriodic(1, id -> {
            long now = System.nanoTime();
            while (next[0] < total && start + next[0] * intervalNanos <= now) {
                long due = start + next[0] * intervalNanos;
                next[0]++;
                client.request(options).compose(r -> r.send()).compose(r -> r.body().map(b -> r.statusCode())).onComplete(ar -> {
                    long took = System.nanoTime() - due;
                    synchronized (latency) {
                        latency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
                    }
                    if (ar.succeeded() && ar.result() < 400) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                    done.countDown();
                });
            }
            if (next[0] >= total) {
                vertx.cancelTimer(id);
            }
        });
        done.await(seconds + 60L, TimeUnit.SECONDS);
        return new long[] { ok.get(), failed.get(), System.nanoTime() - start };
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
