package io.portcullis.load;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The hashing limit of this machine: the time of one Argon2id hash with auth-service's parameters
 * (m = 19456 KiB, t = 2, p = 1), measured the same way auth-service computes it, after a warm-up.
 * Prints the median time and {@code cores / time}: the most logins per second any implementation
 * can verify here.
 */
public final class HashBaseline {

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        for (int i = 0; i < 10; i++) {
            hash(salt);
        }
        long[] times = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long t = System.nanoTime();
            hash(salt);
            times[i] = System.nanoTime() - t;
        }
        java.util.Arrays.sort(times);
        double medianMs = times[rounds / 2] / 1e6;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("argon2id m=19456 t=2 p=1: median %.1f ms (min %.1f, max %.1f) over %d; limit = %d cores / %.1f ms = %.1f hashes/s%n",
                medianMs, times[0] / 1e6, times[rounds - 1] / 1e6, rounds, cores, medianMs, cores * 1000 / medianMs);
        // the same hashes on every core at once: what the machine really sustains (memory bandwidth is shared)
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(cores);
        java.util.List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
        long t = System.nanoTime();
        for (int i = 0; i < rounds * cores; i++) {
            all.add(pool.submit(() -> hash(salt)));
        }
        for (java.util.concurrent.Future<?> f : all) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        pool.shutdown();
        System.out.printf("argon2id on %d threads at once: %.1f hashes/s%n", cores, rounds * cores / seconds);
    }

    static byte[] hash(byte[] salt) {
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(19456).withIterations(2).withParallelism(1).withSalt(salt).build());
        byte[] out = new byte[32];
        g.generateBytes("correct horse battery staple".getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
