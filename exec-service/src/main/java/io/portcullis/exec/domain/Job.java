package io.portcullis.exec.domain;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One run of an action, as stored.
 *
 * @param owner the actor who asked for it ({@code user:<id>} or {@code svc:<name>}); only the owner
 *        and admins may read it
 * @param params the validated parameter values
 * @param sandbox the sandbox kind it ran (or will run) in
 * @param exitCode null unless the process exited by itself
 * @param truncated whether stdout or stderr went beyond the action's cap and was cut
 * @param error why a job failed without an exit code, in words safe to show (null otherwise)
 * @param timeoutMs the action's timeout when the job was accepted
 */
public record Job(UUID id, String owner, String action, Map<String, String> params, JobStatus status, String sandbox,
        Integer exitCode, String stdout, String stderr, boolean truncated, Long durationMs, String error, String requestId,
        String sourceIp, long timeoutMs, Instant createdAt, Instant startedAt, Instant finishedAt) {
}
