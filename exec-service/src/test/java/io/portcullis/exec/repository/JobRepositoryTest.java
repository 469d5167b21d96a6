package io.portcullis.exec.repository;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.portcullis.exec.Jobs;
import io.portcullis.exec.domain.Job;
import io.portcullis.exec.domain.JobStatus;
import io.quarkus.test.junit.QuarkusTest;

/** The jobs table against the real PostgreSQL: status changes are conditional, housekeeping gives up and deletes. */
@QuarkusTest
class JobRepositoryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    JobRepository repository;

    private Job queued(String owner, Instant createdAt, long timeoutMs) {
        Job job = new Job(UUID.randomUUID(), owner, "echo", Map.of("text", "hi"), JobStatus.QUEUED, "util-linux", null, null,
                null, false, null, null, "req-12345678", "127.0.0.1", timeoutMs, createdAt, null, null);
        repository.insert(job).await().atMost(WAIT);
        return job;
    }

    private Job find(UUID id) {
        return repository.find(id).await().atMost(WAIT).orElseThrow();
    }

    @Test
    void storesAndReadsBackAJob() {
        String owner = "user:" + Jobs.newUserId();
        Instant created = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Job job = queued(owner, created, 5000);
        Job read = find(job.id());
        assertThat(read.owner(), equalTo(owner));
        assertThat(read.params(), equalTo(Map.of("text", "hi")));
        assertThat(read.status(), equalTo(JobStatus.QUEUED));
        assertThat(read.createdAt(), equalTo(created));
        assertThat(read.timeoutMs(), equalTo(5000L));
        assertThat(read.finishedAt(), nullValue());
    }

    @Test
    void startsOnlyAQueuedJobAndFinishesOnlyARunningOne() {
        Job job = queued("user:" + Jobs.newUserId(), Instant.now(), 5000);
        assertThat(repository.finish(job.id(), JobStatus.SUCCEEDED, 0, "x", "", false, 1L, null, Instant.now()).await()
                .atMost(WAIT), is(false));
        assertThat(repository.markRunning(job.id(), Instant.now()).await().atMost(WAIT), is(true));
        assertThat(repository.markRunning(job.id(), Instant.now()).await().atMost(WAIT), is(false));
        assertThat(repository.finish(job.id(), JobStatus.SUCCEEDED, 0, "out", "err", true, 12L, null, Instant.now()).await()
                .atMost(WAIT), is(true));
        assertThat(repository.finish(job.id(), JobStatus.FAILED, 1, "", "", false, 1L, null, Instant.now()).await()
                .atMost(WAIT), is(false));
        Job done = find(job.id());
        assertThat(done.status(), equalTo(JobStatus.SUCCEEDED));
        assertThat(done.stdout(), equalTo("out"));
        assertThat(done.truncated(), is(true));
        assertThat(done.durationMs(), equalTo(12L));
    }

    @Test
    void givesUpOnJobsNoInstanceWillFinish() {
        String owner = "user:" + Jobs.newUserId();
        Instant now = Instant.now();
        Job staleRunning = queued(owner, now.minus(Duration.ofMinutes(10)), 1000);
        repository.markRunning(staleRunning.id(), now.minus(Duration.ofMinutes(5))).await().atMost(WAIT);
        Job freshRunning = queued(owner, now, 60_000);
        repository.markRunning(freshRunning.id(), now).await().atMost(WAIT);
        Job staleQueued = queued(owner, now.minus(Duration.ofHours(2)), 1000);
        Job freshQueued = queued(owner, now, 1000);

        // the service's own housekeeping runs the same sweep on a timer and may take the stale jobs first:
        // what is asserted is the state of the rows, whoever swept them
        List<UUID> lost = repository.failLost(now, Duration.ofMinutes(1), Duration.ofHours(1)).await().atMost(WAIT);
        assertThat(lost, not(hasItem(freshRunning.id())));
        assertThat(lost, not(hasItem(freshQueued.id())));
        assertThat(find(staleRunning.id()).status(), equalTo(JobStatus.FAILED));
        assertThat(find(staleQueued.id()).status(), equalTo(JobStatus.FAILED));
        assertThat(find(staleQueued.id()).error(), equalTo("lost: the instance running it stopped"));
        assertThat(find(freshRunning.id()).status(), equalTo(JobStatus.RUNNING));
        assertThat(find(freshQueued.id()).status(), equalTo(JobStatus.QUEUED));
        // a job given up on is never started afterwards
        assertThat(repository.markRunning(staleQueued.id(), now).await().atMost(WAIT), is(false));
    }

    @Test
    void deletesFinishedJobsPastTheRetentionOnly() {
        String owner = "user:" + Jobs.newUserId();
        Instant now = Instant.now();
        Job old = queued(owner, now.minus(Duration.ofDays(40)), 1000);
        repository.markRunning(old.id(), now.minus(Duration.ofDays(40))).await().atMost(WAIT);
        repository.finish(old.id(), JobStatus.SUCCEEDED, 0, "", "", false, 1L, null, now.minus(Duration.ofDays(40))).await()
                .atMost(WAIT);
        Job recent = queued(owner, now, 1000);
        repository.markRunning(recent.id(), now).await().atMost(WAIT);
        repository.finish(recent.id(), JobStatus.SUCCEEDED, 0, "", "", false, 1L, null, now).await().atMost(WAIT);
        Job unfinished = queued(owner, now.minus(Duration.ofDays(40)), 1000);

        repository.deleteFinishedBefore(now.minus(Duration.ofDays(30))).await().atMost(WAIT);
        assertThat(repository.find(old.id()).await().atMost(WAIT).isPresent(), is(false));
        assertThat(repository.find(recent.id()).await().atMost(WAIT).isPresent(), is(true));
        assertThat(repository.find(unfinished.id()).await().atMost(WAIT).isPresent(), is(true));
    }

    @Test
    void listsAnOwnersJobsNewestFirst() {
        String owner = "user:" + Jobs.newUserId();
        Job first = queued(owner, Instant.now().minusSeconds(10), 1000);
        Job second = queued(owner, Instant.now(), 1000);
        queued("user:" + Jobs.newUserId(), Instant.now(), 1000);
        List<Job> jobs = repository.byOwner(owner, 10).await().atMost(WAIT);
        assertThat(jobs.stream().map(Job::id).toList(), equalTo(List.of(second.id(), first.id())));
    }
}
