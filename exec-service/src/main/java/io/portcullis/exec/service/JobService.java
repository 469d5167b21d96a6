package io.portcullis.exec.service;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.portcullis.common.audit.AuditEvent;
import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;
import io.portcullis.exec.config.ExecConfig;
import io.portcullis.exec.domain.Action;
import io.portcullis.exec.domain.Catalog;
import io.portcullis.exec.domain.Job;
import io.portcullis.exec.domain.JobStatus;
import io.portcullis.exec.domain.Parameter;
import io.portcullis.exec.domain.ParameterType;
import io.portcullis.exec.repository.JobRepository;
import io.portcullis.exec.sandbox.Sandbox;
import io.smallrye.mutiny.Uni;

/**
 * The use cases: accept a job (or refuse it before any process exists), read a job, list one's jobs.
 *
 * <p>A submission passes, in order: the body's shape, the action in the catalog, the caller's groups
 * against the action's, every parameter (declared, present, valid), a ready sandbox, the binary on
 * this host, a free place in the queue. The first failure ends it with a problem and an audit event
 * naming what failed (the field, never the rejected value); only then is the job stored and queued.
 */
@ApplicationScoped
public class JobService {

    /** The caller, as the resource saw it. */
    public record Caller(String actor, java.util.Set<String> groups, String requestId, String sourceIp) {

        public boolean admin() {
            return groups.contains("admin");
        }
    }

    private final Catalog catalog;
    private final Sandbox sandbox;
    private final JobRunner runner;
    private final JobRepository repository;
    private final AuditLog audit;
    private final ExecMetrics metrics;
    private final ExecConfig config;

    public JobService(Catalog catalog, Sandbox sandbox, JobRunner runner, JobRepository repository, AuditLog audit,
            ExecMetrics metrics, ExecConfig config) {
        this.catalog = catalog;
        this.sandbox = sandbox;
        this.runner = runner;
        this.repository = repository;
        this.audit = audit;
        this.metrics = metrics;
        this.config = config;
    }

    /** The actions {@code caller} may run. */
    public List<Action> actionsFor(Caller caller) {
        return catalog.actions().values().stream().filter(a -> a.allows(caller.groups())).toList();
    }

    /** Whether the action's binary is present on this host. */
    public static boolean available(Action action) {
        return Files.isExecutable(action.binary());
    }

    /** Validates, authorizes, stores and queues a job; see the class comment for the order. */
    public Uni<Job> submit(Caller caller, JsonNode body) {
        Action action;
        Map<String, String> params;
        try {
            if (body == null || !body.isObject()) {
                throw new ValidationException("body", "the body must be a JSON object with action and params");
            }
            Iterator<String> keys = body.fieldNames();
            while (keys.hasNext()) {
                String k = keys.next();
                if (!k.equals("action") && !k.equals("params")) {
                    String field = CatalogLoader.PARAMETER_NAME.matcher(k).matches() ? k : "body";
                    throw new ValidationException(field, "unknown field " + field + "; a job has only action and params");
                }
            }
            JsonNode actionNode = body.get("action");
            if (actionNode == null || !actionNode.isTextual() || actionNode.asText().isEmpty()) {
                throw new ValidationException("action", "action is required: the name of a catalog action");
            }
            action = catalog.find(actionNode.asText()).orElseThrow(
                    () -> new ValidationException("action", "action is not in the catalog (GET /exec/actions lists them)"));
        } catch (ValidationException e) {
            throw refuse(caller, null, e, "validation");
        }
        if (!action.allows(caller.groups())) {
            metrics.refused("forbidden");
            audit.recordThrottled("exec-authz|" + caller.actor() + "|" + action.name(),
                    event(caller, "authz_failure", "denied").detail("reason", "action_not_allowed")
                            .detail("action", action.name()).detail("path", "/exec/jobs"));
            throw ProblemException.forbidden("You may not run this action.");
        }
        try {
            params = validate(action, body.get("params"));
        } catch (ValidationException e) {
            throw refuse(caller, action, e, "validation");
        }
        if (!sandbox.ready()) {
            throw unavailable(caller, action, "no_sandbox", "No sandbox is available on this instance; no job can run.");
        }
        if (!action.network() && !sandbox.launcher().isolatesNetwork() && !config.sandbox().allowSharedNetwork()
                && sandbox.launcher().kind() != io.portcullis.exec.domain.SandboxKind.NONE) {
            throw unavailable(caller, action, "no_network_isolation", "This instance's sandbox cannot keep a job off the "
                    + "network, and this action must not have it (portcullis.exec.sandbox.allow-shared-network).");
        }
        if (!available(action)) {
            throw unavailable(caller, action, "binary_missing", "This action is not available on this host.");
        }
        if (!runner.tryReserve()) {
            metrics.refused("queue_full");
            audit.recordThrottled("exec-queue|" + caller.actor(), event(caller, "rate_limited", "denied")
                    .detail("reason", "queue_full").detail("action", action.name()));
            throw ProblemException.tooManyRequests("The job queue is full; retry later.", config.retryAfter().toSeconds());
        }
        Job job = new Job(UUID.randomUUID(), caller.actor(), action.name(), params, JobStatus.QUEUED,
                sandbox.launcher().kind().label(), null, null, null, false, null, null, caller.requestId(), caller.sourceIp(),
                action.timeout().toMillis(), Instant.now(), null, null);
        long accepted = System.nanoTime();
        return repository.insert(job)
                .onFailure().invoke(runner::unreserve)
                .invoke(() -> {
                    var event = event(caller, "exec_job", "success").detail("phase", "queued").detail("jobId", job.id())
                            .detail("action", action.name()).detail("sandbox", job.sandbox());
                    params.forEach((k, v) -> event.detail("param." + k, v));
                    audit.record(event);
                    runner.start(new JobRunner.Task(job.id(), action, params, caller.actor(), caller.requestId(),
                            caller.sourceIp(), accepted));
                })
                .replaceWith(job);
    }

    /**
     * The validated values of {@code node} for {@code action}: every key declared, every declared
     * parameter present, every value a string (or, for an integer, a whole number) that its
     * {@link Parameter} accepts.
     */
    static Map<String, String> validate(Action action, JsonNode node) {
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new ValidationException("params", "params must be an object of parameter names to values");
        }
        if (node != null && node.isObject()) {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!action.parameters().containsKey(name)) {
                    // name the field only when it is a plausible parameter name: never echo arbitrary input
                    String field = CatalogLoader.PARAMETER_NAME.matcher(name).matches() ? "params." + name : "params";
                    throw new ValidationException(field, "unknown parameter for this action");
                }
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Parameter p : action.parameters().values()) {
            JsonNode v = node == null || node.isNull() ? null : node.get(p.name());
            String text;
            if (v == null || v.isNull()) {
                text = null;
            } else if (v.isTextual()) {
                text = v.asText();
            } else if (p.type() == ParameterType.INTEGER && v.isIntegralNumber() && v.canConvertToLong()) {
                text = Long.toString(v.asLong());
            } else {
                throw new ValidationException(p.field(), p.field() + " must be a string");
            }
            values.put(p.name(), p.validate(text));
        }
        return values;
    }

    /** An event about {@code caller}'s request (set explicitly: a continuation may run outside the request context). */
    private static AuditEvent.Builder event(Caller caller, String type, String outcome) {
        return AuditLog.event(type, outcome).actor(caller.actor()).requestId(caller.requestId()).sourceIp(caller.sourceIp());
    }

    /** An input refusal: a 400 like {@link ValidationException}'s, audited here with the action and field. */
    private ProblemException refuse(Caller caller, Action action, ValidationException e, String reason) {
        metrics.refused(reason);
        String actionName = action == null ? null : action.name();
        audit.recordThrottled("exec-refusal|" + caller.actor() + "|" + actionName + "|" + e.field(),
                event(caller, "validation_failure", "denied").detail("field", e.field()).detail("action", actionName)
                        .detail("path", "/exec/jobs"));
        // the same problem, as a plain ProblemException so that the shared mapper does not audit it twice
        return new ProblemException(e.status(), e.slug(), e.title(), e.getMessage(), e.field(), e.headers());
    }

    private ProblemException unavailable(Caller caller, Action action, String reason, String detail) {
        metrics.refused(reason);
        audit.recordThrottled("exec-unavailable|" + caller.actor() + "|" + action.name(),
                event(caller, "exec_job", "denied").detail("reason", reason).detail("action", action.name()));
        return ProblemException.unavailable(detail);
    }

    /**
     * Job {@code id} for {@code caller}: the owner's own, or any for an admin. Anyone else gets the
     * same 404 as for a job that does not exist, so ids cannot be probed. With {@code wait}, holds the
     * request until the job has finished or the wait is over.
     */
    public Uni<Job> get(Caller caller, String id, int waitSeconds) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("No such job.");
        }
        if (waitSeconds < 0 || waitSeconds > config.maxWaitSeconds()) {
            throw new ValidationException("wait", "wait must be between 0 and " + config.maxWaitSeconds() + " seconds");
        }
        Instant deadline = Instant.now().plusSeconds(waitSeconds);
        return load(caller, uuid).chain(job -> awaitFinished(caller, job, deadline));
    }

    private Uni<Job> load(Caller caller, UUID id) {
        return repository.find(id).map(found -> {
            Optional<Job> visible = found.filter(j -> j.owner().equals(caller.actor()) || caller.admin());
            if (visible.isEmpty()) {
                if (found.isPresent()) {
                    audit.recordThrottled("exec-idor|" + caller.actor(), event(caller, "authz_failure", "denied")
                            .detail("reason", "not_job_owner").detail("jobId", id).detail("path", "/exec/jobs/{jobId}"));
                }
                throw ProblemException.notFound("No such job.");
            }
            return visible.get();
        });
    }

    private Uni<Job> awaitFinished(Caller caller, Job job, Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (job.status().finished() || left.isNegative() || left.isZero()) {
            return Uni.createFrom().item(job);
        }
        CompletableFuture<Void> done = runner.completion(job.id());
        // wake up when this instance finishes the job, or poll the database (another instance may run it)
        Duration step = left.compareTo(Duration.ofMillis(250)) < 0 ? left : Duration.ofMillis(250);
        // a copy: giving up on the wait cancels what it waited on, and the runner's future is shared
        Uni<Void> signal = done != null ? Uni.createFrom().completionStage(done.copy())
                : Uni.createFrom().voidItem().onItem().delayIt().by(step);
        return signal.ifNoItem().after(step).recoverWithItem((Void) null)
                .chain(() -> repository.find(job.id()))
                .chain(found -> found.map(j -> awaitFinished(caller, j, deadline)).orElse(Uni.createFrom().item(job)));
    }

    /** The caller's newest jobs. */
    public Uni<List<Job>> list(Caller caller, int limit) {
        if (limit < 1 || limit > 100) {
            throw new ValidationException("limit", "limit must be between 1 and 100");
        }
        return repository.byOwner(caller.actor(), limit);
    }
}
