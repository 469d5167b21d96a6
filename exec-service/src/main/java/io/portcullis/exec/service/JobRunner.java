package io.portcullis.exec.service;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.portcullis.common.audit.AuditLog;
import io.portcullis.exec.config.ExecConfig;
import io.portcullis.exec.domain.Action;
import io.portcullis.exec.domain.JobStatus;
import io.portcullis.exec.repository.JobRepository;
import io.portcullis.exec.sandbox.ProcessRunner;
import io.portcullis.exec.sandbox.Sandbox;
import io.portcullis.exec.sandbox.SandboxLauncher;

/**
 * Runs accepted jobs on a fixed pool of worker threads, never on the event loop. Capacity is
 * {@code workers + queue-capacity} permits, taken before a job is stored ({@link #tryReserve}) and
 * given back when it ends, so the queue can never grow beyond its limit and a full queue is a 429
 * before anything is written.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    private static final Duration DB_WAIT = Duration.ofSeconds(30);

    /** What a worker needs to run one job. */
    public record Task(UUID id, Action action, Map<String, String> params, String owner, String requestId, String sourceIp,
            long acceptedNanos) {
    }

    private final Sandbox sandbox;
    private final JobRepository repository;
    private final AuditLog audit;
    private final ExecMetrics metrics;
    private final ThreadPoolExecutor workers;
    private final Semaphore permits;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final Map<UUID, CompletableFuture<Void>> local = new ConcurrentHashMap<>();

    public JobRunner(Sandbox sandbox, JobRepository repository, AuditLog audit, ExecMetrics metrics, ExecConfig config) {
        this.sandbox = sandbox;
        this.repository = repository;
        this.audit = audit;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        // the permits bound the queue; the executor's own queue never holds more than queue-capacity
        this.workers = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(config.queueCapacity() + config.workers()), r -> {
                    Thread t = new Thread(r, "exec-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.permits = new Semaphore(config.workers() + config.queueCapacity());
        metrics.gauge("portcullis.exec.queue.depth", "Jobs accepted and waiting for a worker", queued::get);
        metrics.gauge("portcullis.exec.jobs.running", "Jobs running now", running::get);
        metrics.gauge("portcullis.exec.queue.free", "Jobs that can still be accepted before the queue is full",
                permits::availablePermits);
    }

    /** Takes a place for one job; false when workers and queue are full. */
    public boolean tryReserve() {
        return permits.tryAcquire();
    }

    /** Gives back a place taken by {@link #tryReserve} for a job that was not started after all. */
    public void unreserve() {
        permits.release();
    }

    /** Hands a stored job (with its reserved place) to the workers. */
    public void start(Task task) {
        local.put(task.id(), new CompletableFuture<>());
        queued.incrementAndGet();
        workers.execute(() -> run(task));
    }

    /** Completes when job {@code id}, if this instance runs it, has ended; null otherwise. */
    public CompletableFuture<Void> completion(UUID id) {
        return local.get(id);
    }

    private void run(Task t) {
        queued.decrementAndGet();
        running.incrementAndGet();
        metrics.queueWait(Duration.ofNanos(System.nanoTime() - t.acceptedNanos()));
        Action action = t.action();
        Path dir = null;
        boolean stopping = false;
        try {
            if (!repository.markRunning(t.id(), Instant.now()).await().atMost(DB_WAIT)) {
                LOG.infof("job %s is no longer queued; not started", t.id());
                return;
            }
            SandboxLauncher launcher = sandbox.launcher();
            dir = sandbox.work().create(t.id(), launcher.dropsPrivileges() ? launcher.uid() : -1,
                    launcher.dropsPrivileges() ? launcher.gid() : -1);
            String inside = launcher.workdirInside(dir);
            List<String> command = launcher.command(action.binary(), action.render(t.params(), inside), action.limits(),
                    action.network(), action.readOnlyPaths(), dir);
            ProcessRunner.Result r = sandbox.runner().run(launcher, command, action.environment(inside), dir,
                    action.timeout(), action.maxOutputBytes(), pid -> metrics.spawned(action.name()));
            // stopping (stop() interrupts the workers): the process tree is already killed; clear the
            // flag so that the outcome is still stored and audited, and set it again at the end
            stopping = Thread.interrupted();
            JobStatus status = r.error() != null ? JobStatus.FAILED
                    : r.timedOut() ? JobStatus.TIMED_OUT
                    : r.exitCode() == 0 ? JobStatus.SUCCEEDED : JobStatus.FAILED;
            long durationMs = TimeUnit.NANOSECONDS.toMillis(r.durationNanos());
            String error = r.error() != null ? r.error()
                    : r.timedOut() ? "killed with its process tree after " + action.timeout().toMillis() + " ms" : null;
            repository.finish(t.id(), status, r.exitCode(), text(r.stdout()), text(r.stderr()), r.truncated(), durationMs,
                    error, Instant.now()).await().atMost(DB_WAIT);
            metrics.finished(action.name(), status.label(), Duration.ofNanos(r.durationNanos()));
            record(t, status, r.exitCode(), durationMs, r.truncated(), launcher);
            wake(t.id()); // the result is stored: waiting readers need not wait for the clean-up
        } catch (Exception e) {
            LOG.errorf(e, "job %s failed in the service", t.id());
            failQuietly(t, "the service failed while running the job");
        } finally {
            if (dir != null) {
                sandbox.work().delete(dir);
            }
            running.decrementAndGet();
            permits.release();
            wake(t.id());
            if (stopping) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void wake(UUID id) {
        CompletableFuture<Void> done = local.remove(id);
        if (done != null) {
            done.complete(null);
        }
    }

    private void failQuietly(Task t, String error) {
        try {
            repository.finish(t.id(), JobStatus.FAILED, null, null, null, false, null, error, Instant.now()).await()
                    .atMost(DB_WAIT);
            metrics.finished(t.action().name(), JobStatus.FAILED.label(), Duration.ZERO);
            record(t, JobStatus.FAILED, null, null, false, sandbox.launcher());
        } catch (RuntimeException again) {
            LOG.errorf("job %s could not be marked failed (%s); housekeeping will", t.id(), again.getClass().getSimpleName());
        }
    }

    /** One {@code exec_job} event per finished job: who, what, with which values, and how it ended. */
    private void record(Task t, JobStatus status, Integer exitCode, Long durationMs, boolean truncated, SandboxLauncher l) {
        var event = AuditLog.event("exec_job", status == JobStatus.SUCCEEDED ? "success" : "failure")
                .actor(t.owner()).requestId(t.requestId()).sourceIp(t.sourceIp())
                .detail("phase", "finished").detail("jobId", t.id()).detail("action", t.action().name())
                .detail("status", status.label()).detail("exitCode", exitCode).detail("durationMs", durationMs)
                .detail("truncated", truncated).detail("sandbox", l.kind().label());
        t.params().forEach((k, v) -> event.detail("param." + k, v));
        audit.record(event);
    }

    /** Output as text: UTF-8 (malformed bytes replaced), NUL replaced (PostgreSQL text cannot hold it). */
    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
    }

    /**
     * Shutdown: running jobs are interrupted, their process trees killed, and their outcome ("the
     * service stopped while the job ran") stored and audited before the service goes, within 15 s;
     * jobs still queued are left to housekeeping. Processes get SIGKILL from their pdeathsig too.
     */
    @PreDestroy
    void stop() {
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(15, TimeUnit.SECONDS)) {
                LOG.warn("running jobs did not record their outcome within 15 s of the shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
