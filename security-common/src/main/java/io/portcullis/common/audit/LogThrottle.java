package io.portcullis.common.audit;

import java.util.concurrent.atomic.AtomicLong;

/** At most one log line per second for a failure that can repeat on every request. */
public final class LogThrottle {

    private final AtomicLong last = new AtomicLong();

    /** True at most once a second. */
    public boolean tryAcquire() {
        long now = System.nanoTime();
        long prev = last.get();
        return (prev == 0 || now - prev >= 1_000_000_000L) && last.compareAndSet(prev, now);
    }
}
