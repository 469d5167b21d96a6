package io.portcullis.exec.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

/**
 * Runs one sandboxed command on the calling thread (a worker, never the event loop): argv list only,
 * the environment exactly as given, stdin from {@code /dev/null}, stdout and stderr drained on two
 * reader threads and kept up to a cap, a deadline after which the whole process tree is killed.
 *
 * <p>Killing the tree, in order: the job's process group at once ({@code kill -KILL -- -pgid}, run as
 * the sandbox user so it can reach nothing else), the first process of the chain (which, in a pid
 * namespace, takes the whole namespace with it), then every process left in the job's session,
 * which catches descendants that moved to a process group of their own (as {@code timeout} does).
 * Without a pid namespace the session sweep also runs after a normal exit, for background
 * processes left behind.
 */
public final class ProcessRunner {

    private static final Logger LOG = Logger.getLogger(ProcessRunner.class);
    private static final File DEV_NULL = new File("/dev/null");
    private static final Duration READER_GRACE = Duration.ofSeconds(5);
    private static final Duration REAP_WAIT = Duration.ofSeconds(5);

    /**
     * What happened.
     *
     * @param exitCode null when the process did not exit by itself (timeout, failure to start)
     * @param error why the command could not run at all, in words safe to show; null otherwise
     */
    public record Result(Integer exitCode, boolean timedOut, byte[] stdout, byte[] stderr, boolean truncated,
            long durationNanos, String error) {
    }

    private final ExecutorService readers;
    private final Optional<Path> kill;

    /** @param readers runs the two output readers of each command (bounded by the caller) */
    public ProcessRunner(ExecutorService readers, Optional<Path> kill) {
        this.readers = readers;
        this.kill = kill;
    }

    /**
     * Starts {@code command} and waits for it, at most {@code timeout}.
     *
     * @param launcher the sandbox that built {@code command} (how to kill it)
     * @param onStart called right after the process started, with its pid
     */
    public Result run(SandboxLauncher launcher, List<String> command, Map<String, String> env, Path cwd, Duration timeout,
            int maxOutput, java.util.function.LongConsumer onStart) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.directory(cwd.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        long start = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            LOG.warnf("cannot start %s: %s", command.get(0), e.getMessage());
            return new Result(null, false, new byte[0], new byte[0], false, System.nanoTime() - start,
                    "the program could not be started");
        }
        onStart.accept(process.pid());
        Capture out = new Capture(process.getInputStream(), maxOutput);
        Capture err = new Capture(process.getErrorStream(), maxOutput);
        Future<?> outDone;
        Future<?> errDone;
        try {
            outDone = readers.submit(out);
            errDone = readers.submit(err);
        } catch (RejectedExecutionException e) {
            killTree(launcher, process);
            return new Result(null, false, new byte[0], new byte[0], false, System.nanoTime() - start,
                    "no output reader available");
        }
        boolean exited;
        boolean interrupted = false;
        try {
            exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            exited = false;
            interrupted = true;
        }
        long duration = System.nanoTime() - start;
        if (!exited) {
            killTree(launcher, process);
        } else if (!launcher.pidNamespace()) {
            sweepSession(launcher, process.pid()); // background processes left behind
        }
        boolean drained = await(outDone) & await(errDone);
        if (!drained) {
            // something still holds the pipes: kill again, then give up on the rest of the output
            killTree(launcher, process);
            drained = await(outDone) & await(errDone);
            if (!drained) {
                LOG.warnf("output of pid %d still open after the kill", process.pid());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            return new Result(null, false, out.bytes(), err.bytes(), out.truncated() || err.truncated(), duration,
                    "the service stopped while the job ran");
        }
        return new Result(exited ? process.exitValue() : null, !exited, out.bytes(), err.bytes(),
                out.truncated() || err.truncated(), duration, null);
    }

    private static boolean await(Future<?> f) {
        try {
            f.get(READER_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return f.isDone();
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    /** Kills everything the command started (see the class comment). */
    void killTree(SandboxLauncher launcher, Process process) {
        long pid = process.pid();
        if (kill.isPresent()) {
            List<String> cmd = new ArrayList<>(launcher.asSandboxUser());
            cmd.addAll(List.of(kill.get().toString(), "-s", "KILL", "--", "-" + pid));
            try {
                Process k = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!k.waitFor(2, TimeUnit.SECONDS)) {
                    k.destroyForcibly();
                }
            } catch (IOException e) {
                LOG.warnf("cannot run kill: %s", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.destroyForcibly();
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sweepSession(launcher, pid);
    }

    /**
     * Kills, until none is left, every live process of session {@code sid} (the job's {@code setsid});
     * when the sandbox drops privileges, only those running as the sandbox user. Then waits (at most
     * {@link #REAP_WAIT}) until their zombies are reaped too: a zombie still counts against the sandbox
     * user's process limit, and the next job must not find it full.
     */
    static void sweepSession(SandboxLauncher launcher, long sid) {
        int uid = launcher.dropsPrivileges() ? launcher.uid() : -1;
        for (int round = 0; round < 100; round++) {
            List<Long> found = session(sid, uid, false);
            if (found.isEmpty()) {
                break;
            }
            for (long pid : found) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (!pause(5)) {
                return;
            }
        }
        long deadline = System.nanoTime() + REAP_WAIT.toNanos();
        while (!session(sid, uid, true).isEmpty()) {
            if (System.nanoTime() > deadline) {
                LOG.warnf("processes of session %d are not reaped after %s", sid, REAP_WAIT);
                return;
            }
            if (!pause(20)) {
                return;
            }
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Processes whose session is {@code sid}, optionally only those of real uid {@code uid}; zombies
     * only when {@code zombies} is set.
     */
    static List<Long> session(long sid, int uid, boolean zombies) {
        List<Long> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid == self) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException | RuntimeException e) {
                    continue; // gone meanwhile
                }
                // pid (comm) state ppid pgrp session ...; comm may contain spaces and parentheses
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                boolean dead = f.length > 0 && (f[0].equals("Z") || f[0].equals("X"));
                if (f.length < 4 || (dead && !zombies) || Long.parseLong(f[3]) != sid) {
                    continue;
                }
                if (uid >= 0 && realUid(p) != uid) {
                    continue;
                }
                out.add(pid);
            }
        } catch (IOException e) {
            LOG.warnf("cannot scan /proc: %s", e.getMessage());
        }
        return out;
    }

    private static int realUid(Path procDir) {
        try {
            for (String line : Files.readAllLines(procDir.resolve("status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        return -2;
    }

    /** Reads a stream to its end, keeping the first {@code cap} bytes. */
    static final class Capture implements Runnable {
        private final InputStream in;
        private final int cap;
        private final ByteArrayOutputStream kept;
        private volatile long total;

        Capture(InputStream in, int cap) {
            this.in = in;
            this.cap = cap;
            this.kept = new ByteArrayOutputStream(Math.min(cap, 8192));
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    synchronized (kept) {
                        int keep = (int) Math.max(0, Math.min(n, cap - kept.size()));
                        kept.write(chunk, 0, keep);
                    }
                    total += n;
                }
            } catch (IOException e) {
                // the stream was closed under us: what was read is kept
            }
        }

        byte[] bytes() {
            synchronized (kept) {
                return kept.toByteArray();
            }
        }

        boolean truncated() {
            return total > cap;
        }
    }
}
