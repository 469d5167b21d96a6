package io.portcullis.exec.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.exec.Jobs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * The service stops while a job runs: the job's outcome is stored and audited as it goes, instead of
 * the row staying "running" until housekeeping gives up on it. Its own application (the runner is
 * stopped here, as a shutdown would).
 */
@QuarkusTest
@TestProfile(JobRunnerShutdownTest.Alone.class)
class JobRunnerShutdownTest {

    public static class Alone implements QuarkusTestProfile {
    }

    @Inject
    JobRunner runner;

    @Test
    void aJobRunningAtShutdownIsRecordedAsStoppedNotLeftRunning() {
        String token = Jobs.userToken();
        String jobId = Jobs.submit(token, "sleep", Map.of("seconds", 30)).then().statusCode(202).extract().path("jobId");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                "running".equals(Specs.as(token).get("/exec/jobs/" + jobId).jsonPath().getString("status")));
        runner.stop();
        var job = Specs.as(token).get("/exec/jobs/" + jobId).then().statusCode(200).extract().jsonPath();
        assertEquals("failed", job.getString("status"));
        assertEquals("the service stopped while the job ran", job.getString("error"));
        JsonObject e = AuditOutbox.await(AuditOutbox.typeAndDetail("exec_job", "jobId", jobId)
                .and(ev -> "finished".equals(ev.getJsonObject("details").getString("phase"))));
        assertEquals("failure", e.getString("outcome"));
    }
}
