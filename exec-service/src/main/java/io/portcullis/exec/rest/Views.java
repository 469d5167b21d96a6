package io.portcullis.exec.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.portcullis.exec.domain.Action;
import io.portcullis.exec.domain.Job;
import io.portcullis.exec.domain.Parameter;
import io.portcullis.exec.service.JobService;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the API returns (DESIGN.md names kept; fields added freely). */
@RegisterForReflection(targets = { Views.ActionView.class, Views.ParameterView.class, Views.JobAccepted.class,
        Views.JobView.class, Views.JobSummary.class, Views.JobList.class, Views.ActionList.class })
final class Views {

    private Views() {
    }

    record ParameterView(String name, String type, String description, String pattern, int maxLength, Long min, Long max,
            boolean allowLeadingDash) {

        static ParameterView of(Parameter p) {
            boolean integer = p.type() == io.portcullis.exec.domain.ParameterType.INTEGER;
            String pattern = switch (p.type()) {
                case PACKAGE_NAME -> io.portcullis.common.validation.Validation.PACKAGE_NAME.pattern();
                case STRING -> p.pattern().pattern();
                case INTEGER -> "^[0-9]+$";
                case PATH -> io.portcullis.common.validation.Validation.FILE_PATH.pattern(); // and no leading '/', '.' or '..' segment
            };
            return new ParameterView(p.name(), p.type().label(), p.description(), pattern, p.maxLength(),
                    integer ? p.min() : null, integer ? p.max() : null, p.allowLeadingDash());
        }
    }

    record ActionView(String name, String description, List<ParameterView> parameters, Set<String> groups, long timeoutMs,
            int maxOutputBytes, boolean network, boolean available) {

        static ActionView of(Action a) {
            return new ActionView(a.name(), a.description(), a.parameters().values().stream().map(ParameterView::of).toList(),
                    new java.util.TreeSet<>(a.groups()), a.timeout().toMillis(), a.maxOutputBytes(), a.network(),
                    JobService.available(a));
        }
    }

    record ActionList(List<ActionView> actions) {
    }

    record JobAccepted(String jobId, String status, String action, Instant createdAt) {

        static JobAccepted of(Job j) {
            return new JobAccepted(j.id().toString(), j.status().label(), j.action(), j.createdAt());
        }
    }

    /** A job with its result: {@code status} is queued, running, succeeded, failed or timed_out. */
    record JobView(String jobId, String owner, String action, Map<String, String> params, String status, Integer exitCode,
            String stdout, String stderr, boolean truncated, Long durationMs, String sandbox, String error,
            Instant createdAt, Instant startedAt, Instant finishedAt) {

        static JobView of(Job j) {
            return new JobView(j.id().toString(), j.owner(), j.action(), j.params(), j.status().label(), j.exitCode(),
                    j.stdout(), j.stderr(), j.truncated(), j.durationMs(), j.sandbox(), j.error(), j.createdAt(),
                    j.startedAt(), j.finishedAt());
        }
    }

    record JobSummary(String jobId, String action, String status, Integer exitCode, boolean truncated, Long durationMs,
            Instant createdAt, Instant finishedAt) {

        static JobSummary of(Job j) {
            return new JobSummary(j.id().toString(), j.action(), j.status().label(), j.exitCode(), j.truncated(),
                    j.durationMs(), j.createdAt(), j.finishedAt());
        }
    }

    record JobList(List<JobSummary> jobs) {
    }
}
