package io.portcullis.exec.rest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.portcullis.exec.Jobs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/**
 * The jobs API from the outside: submission, validation (hostile values start no process),
 * authorization per action, who may read a job, the queue limit, audit and metrics. Runs against
 * the packaged artifact too (JobsApiIT).
 */
@QuarkusTest
public class JobsApiTest {

    /** Each must be refused with 400 by a package-name parameter, and start nothing. */
    static Stream<Arguments> hostilePackageNames() {
        return Stream.of(
                Arguments.of("semicolon command", "; rm -rf /"),
                Arguments.of("command substitution", "$(id)"),
                Arguments.of("backticks", "`id`"),
                Arguments.of("space", "hello world"),
                Arguments.of("newline", "hello\nworld"),
                Arguments.of("carriage return", "hello\r"),
                Arguments.of("dot dot", ".."),
                Arguments.of("path traversal", "../../etc/passwd"),
                Arguments.of("leading dash", "-rf"),
                Arguments.of("leading double dash", "--help"),
                Arguments.of("fullwidth look-alike", "ｈｅｌｌｏ"),
                Arguments.of("cyrillic look-alike", "hеllo"),
                Arguments.of("NUL", "hello\u0000"),
                Arguments.of("empty", ""),
                Arguments.of("101 characters", "a".repeat(101)),
                Arguments.of("pipe", "hello|id"),
                Arguments.of("glob", "*"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostilePackageNames")
    void refusesHostilePackageNameWithoutStartingAProcess(String what, String hostile) {
        String userId = Jobs.newUserId();
        String token = TestTokens.user(userId, "user").sign();
        double before = Jobs.spawns("package-echo");

        String body = Jobs.submit(token, "package-echo", Map.of("package", hostile)).then().spec(Specs.problem(400))
                .body("field", equalTo("params.package")).extract().asString();

        if (hostile.length() > 1) {
            assertThat("the problem never echoes the value", body, not(containsString(hostile)));
        }
        // no process: the spawn counter did not move, and no job exists for this user
        assertEquals(before, Jobs.spawns("package-echo"));
        Specs.as(token).get("/exec/jobs").then().statusCode(200).body("jobs", hasSize(0));
        // audited as a validation failure naming the parameter, without the value
        JsonObject event = AuditOutbox.await(e -> "validation_failure".equals(e.getString("type"))
                && ("user:" + userId).equals(e.getString("actor")));
        assertThat(event.getJsonObject("details").getString("field"), equalTo("params.package"));
        assertThat(event.getJsonObject("details").getString("action"), equalTo("package-echo"));
        if (hostile.length() > 1) {
            assertThat(event.encode(), not(containsString(hostile)));
        }
    }

    /** A path parameter names something inside the job's work folder, or nothing: checked before any process. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "/etc/passwd", "/tmp/x", "../escape", "a/../../b", "./x", "a//b" })
    void refusesAPathOutsideTheWorkFolderWithoutStartingAProcess(String hostile) {
        String token = Jobs.userToken();
        double before = Jobs.spawns("touch-here");
        Jobs.submit(token, "touch-here", Map.of("path", hostile)).then().spec(Specs.problem(400))
                .body("field", equalTo("params.path"));
        assertEquals(before, Jobs.spawns("touch-here"));
        Specs.as(token).get("/exec/jobs").then().statusCode(200).body("jobs", hasSize(0));
    }

    /** Each must be refused by a string parameter even though its pattern allows spaces and dots. */
    static Stream<Arguments> hostileTexts() {
        return Stream.of(
                Arguments.of("semicolon command", "; rm -rf /"),
                Arguments.of("command substitution", "$(id)"),
                Arguments.of("backticks", "`id`"),
                Arguments.of("newline", "a\nb"),
                Arguments.of("dot dot", "a..b"),
                Arguments.of("leading dash", "-n hello"),
                Arguments.of("unicode look-alike", "ａ"),
                Arguments.of("empty", ""),
                Arguments.of("65 characters", "a".repeat(65)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileTexts")
    void refusesHostileTextWithoutStartingAProcess(String what, String hostile) {
        String token = Jobs.userToken();
        double before = Jobs.spawns("echo");
        Jobs.submit(token, "echo", Map.of("text", hostile)).then().spec(Specs.problem(400)).body("field", equalTo("params.text"));
        assertEquals(before, Jobs.spawns("echo"));
        Specs.as(token).get("/exec/jobs").then().statusCode(200).body("jobs", hasSize(0));
    }

    @Test
    void validPackageNameStartsExactlyOneProcess() {
        // the other side of the proof above: the counter does move when a process starts
        String token = Jobs.userToken();
        double before = Jobs.spawns("package-echo");
        JsonPath job = Jobs.run(token, "package-echo", Map.of("package", "ripgrep_2-x"));
        assertThat(job.getString("status"), equalTo("succeeded"));
        assertThat(job.getString("stdout"), equalTo("nixpkgs.ripgrep_2-x\n"));
        assertEquals(before + 1, Jobs.spawns("package-echo"));
    }

    @Test
    void nixInstallValidatesThePackageNameAndNeverRunsWithoutNix() {
        String token = Jobs.userToken();
        for (String hostile : List.of("; rm -rf /", "$(id)", "-i", "..", "a".repeat(101), "")) {
            Jobs.submit(token, "nix-install", Map.of("package", hostile)).then().spec(Specs.problem(400))
                    .body("field", equalTo("params.package"));
        }
        // a valid name passes validation; without nix on this machine the action is unavailable (503)
        Response valid = Jobs.submit(token, "nix-install", Map.of("package", "hello"));
        assertThat(valid.statusCode(), in(List.of(202, 503)));
        if (valid.statusCode() == 503) {
            valid.then().spec(Specs.problem(503));
            assertEquals(0.0, Jobs.spawns("nix-install"));
        }
    }

    @Test
    void acceptsAJobAndReturnsItsResult() {
        String token = Jobs.userToken();
        Response accepted = Jobs.submit(token, "echo", Map.of("text", "hello, world"));
        accepted.then().statusCode(202)
                .body("status", equalTo("queued"))
                .body("action", equalTo("echo"))
                .body("jobId", matchesPattern("^[0-9a-f-]{36}$"))
                .header("Location", org.hamcrest.Matchers.endsWith("/exec/jobs/" + accepted.path("jobId")));
        String jobId = accepted.path("jobId");
        JsonPath job = Jobs.await(token, jobId);
        assertThat(job.getString("status"), equalTo("succeeded"));
        assertThat(job.getInt("exitCode"), equalTo(0));
        assertThat(job.getString("stdout"), equalTo("hello, world\n"));
        assertThat(job.getString("stderr"), equalTo(""));
        assertThat(job.getBoolean("truncated"), is(false));
        assertThat(job.getLong("durationMs"), greaterThanOrEqualTo(0L));
        assertThat(job.getString("sandbox"), in(List.of("bubblewrap", "util-linux")));
        assertThat(job.getMap("params"), equalTo(Map.of("text", "hello, world")));
        assertThat(job.getString("startedAt"), notNullValue());
        assertThat(job.getString("finishedAt"), notNullValue());
    }

    @Test
    void valueStartingWithADashIsPassedAfterDoubleDashWhenTheActionAllowsIt() {
        JsonPath job = Jobs.run(Jobs.userToken(), "basename", Map.of("name", "-rf"));
        assertThat(job.getString("status"), equalTo("succeeded"));
        assertThat(job.getString("stdout"), equalTo("-rf\n")); // an argument, not an option
    }

    @Test
    void integerParameterTakesDigitsOrAJsonNumberWithinItsRange() {
        String token = Jobs.userToken();
        assertThat(Jobs.run(token, "repeat", Map.of("count", "7")).getString("stdout"), equalTo("count=7\n"));
        assertThat(Jobs.run(token, "repeat", Map.of("count", 8)).getString("stdout"), equalTo("count=8\n"));
        for (Object bad : List.of("0", "101", "-1", "1e2", "0x10", " 5", 1.5)) {
            Jobs.submit(token, "repeat", Map.of("count", bad)).then().spec(Specs.problem(400)).body("field", equalTo("params.count"));
        }
    }

    @Test
    void refusesUnknownActionNamingTheField() {
        Jobs.submit(Jobs.userToken(), "rm-everything", Map.of()).then().spec(Specs.problem(400)).body("field", equalTo("action"));
        Specs.as(Jobs.userToken()).body("{\"params\":{}}").post("/exec/jobs").then().spec(Specs.problem(400))
                .body("field", equalTo("action"));
    }

    @Test
    void refusesUnknownParameter() {
        Jobs.submit(Jobs.userToken(), "echo", Map.of("text", "hi", "extra", "x")).then().spec(Specs.problem(400))
                .body("field", equalTo("params.extra"));
        // a name that is itself hostile is not echoed back
        Jobs.submit(Jobs.userToken(), "echo", Map.of("text", "hi", "$(id)", "x")).then().spec(Specs.problem(400))
                .body("field", equalTo("params"));
    }

    @Test
    void refusesMissingParameterAndNonStringValue() {
        Jobs.submit(Jobs.userToken(), "echo", Map.of()).then().spec(Specs.problem(400)).body("field", equalTo("params.text"));
        Specs.as(Jobs.userToken()).body("{\"action\":\"echo\",\"params\":{\"text\":[\"a\",\"b\"]}}").post("/exec/jobs")
                .then().spec(Specs.problem(400)).body("field", equalTo("params.text"));
        Specs.as(Jobs.userToken()).body("{\"action\":\"echo\",\"params\":\"text=hi\"}").post("/exec/jobs")
                .then().spec(Specs.problem(400)).body("field", equalTo("params"));
    }

    @Test
    void refusesUnknownTopLevelFieldsAndMalformedBodies() {
        Specs.as(Jobs.userToken()).body("{\"action\":\"echo\",\"params\":{\"text\":\"hi\"},\"argv\":[\"-e\"]}")
                .post("/exec/jobs").then().spec(Specs.problem(400)).body("field", equalTo("argv"));
        Specs.as(Jobs.userToken()).body("[]").post("/exec/jobs").then().spec(Specs.problem(400));
        Specs.as(Jobs.userToken()).body("{not json").post("/exec/jobs").then().spec(Specs.problem(400));
    }

    @Test
    void requiresAValidToken() {
        Specs.json().body("{\"action\":\"echo\",\"params\":{\"text\":\"hi\"}}").post("/exec/jobs").then().spec(Specs.problem(401));
        Specs.json().get("/exec/actions").then().spec(Specs.problem(401));
        Specs.json().get("/exec/jobs/" + UUID.randomUUID()).then().spec(Specs.problem(401));
        Specs.as(TestTokens.user(Jobs.newUserId(), "user").signWithUntrustedKey()).get("/exec/actions")
                .then().spec(Specs.problem(401));
        Specs.as(TestTokens.user(Jobs.newUserId(), "user").unsigned()).get("/exec/actions").then().spec(Specs.problem(401));
        Specs.as(TestTokens.user(Jobs.newUserId(), "user").expiresAt(java.time.Instant.now().minusSeconds(120)).sign())
                .get("/exec/actions").then().spec(Specs.problem(401));
    }

    @Test
    void refusesAnActionOutsideTheCallersGroupsAndAuditsIt() {
        String userId = Jobs.newUserId();
        double before = Jobs.spawns("admin-only");
        Jobs.submit(TestTokens.user(userId, "user").sign(), "admin-only", Map.of()).then().spec(Specs.problem(403));
        AuditOutbox.await(e -> "authz_failure".equals(e.getString("type")) && ("user:" + userId).equals(e.getString("actor"))
                && "admin-only".equals(e.getJsonObject("details").getString("action")));
        assertEquals(before, Jobs.spawns("admin-only"));
        // an auditor is no user: the per-action groups decide, and auditor is not among them
        Jobs.submit(TestTokens.user(Jobs.newUserId(), "auditor").sign(), "echo", Map.of("text", "x")).then()
                .spec(Specs.problem(403));
        // the admin may
        assertThat(Jobs.run(Jobs.adminToken(), "admin-only", Map.of()).getString("status"), equalTo("succeeded"));
    }

    @Test
    void authorizationComesBeforeParameterValidation() {
        // a caller who may not run the action learns nothing about its parameters
        Jobs.submit(Jobs.userToken(), "admin-only", Map.of("anything", "; rm -rf /")).then().spec(Specs.problem(403));
    }

    @Test
    void jobIsReadableByItsOwnerAndAdminsOnly() {
        String owner = Jobs.newUserId();
        String ownerToken = TestTokens.user(owner, "user").sign();
        String jobId = Jobs.submit(ownerToken, "echo", Map.of("text", "mine")).then().statusCode(202).extract().path("jobId");
        Jobs.await(ownerToken, jobId);

        String intruder = Jobs.newUserId();
        Specs.as(TestTokens.user(intruder, "user").sign()).get("/exec/jobs/" + jobId).then().spec(Specs.problem(404));
        AuditOutbox.await(e -> "authz_failure".equals(e.getString("type")) && ("user:" + intruder).equals(e.getString("actor"))
                && "not_job_owner".equals(e.getJsonObject("details").getString("reason")));
        // the same answer as for a job that does not exist: ids cannot be probed
        Specs.as(TestTokens.user(intruder, "user").sign()).get("/exec/jobs/" + UUID.randomUUID()).then().spec(Specs.problem(404));
        Specs.as(TestTokens.user(intruder, "user").sign()).get("/exec/jobs/not-a-uuid").then().spec(Specs.problem(404));

        Specs.as(Jobs.adminToken()).get("/exec/jobs/" + jobId).then().statusCode(200)
                .body("stdout", equalTo("mine\n")).body("owner", equalTo("user:" + owner));
    }

    @Test
    void listsOnlyTheCallersOwnJobsWithoutOutput() {
        String token = Jobs.userToken();
        String other = Jobs.userToken();
        String mine = Jobs.submit(token, "echo", Map.of("text", "one")).then().statusCode(202).extract().path("jobId");
        Jobs.run(other, "echo", Map.of("text", "two"));
        Jobs.await(token, mine);
        Specs.as(token).get("/exec/jobs").then().statusCode(200)
                .body("jobs", hasSize(1)).body("jobs[0].jobId", equalTo(mine)).body("jobs[0].status", equalTo("succeeded"))
                .body("jobs[0]", not(org.hamcrest.Matchers.hasKey("stdout")));
        Specs.as(token).queryParam("limit", 0).get("/exec/jobs").then().spec(Specs.problem(400)).body("field", equalTo("limit"));
    }

    @Test
    void listsOnlyTheActionsTheCallerMayRun() {
        List<String> userActions = Specs.as(Jobs.userToken()).get("/exec/actions").then().statusCode(200)
                .body("actions.find { it.name == 'echo' }.parameters[0].name", equalTo("text"))
                .body("actions.find { it.name == 'echo' }.parameters[0].maxLength", equalTo(64))
                .body("actions.find { it.name == 'nix-install' }.parameters[0].type", equalTo("package-name"))
                .body("actions.find { it.name == 'nix-install' }.parameters[0].pattern", equalTo("^[a-zA-Z0-9_-]+$"))
                .extract().path("actions.name");
        assertThat(userActions, hasItems("echo", "nix-install", "id"));
        assertThat(userActions, not(hasItem("admin-only")));
        List<String> adminActions = Specs.as(Jobs.adminToken()).get("/exec/actions").then().statusCode(200)
                .extract().path("actions.name");
        assertThat(adminActions, hasItem("admin-only"));
        assertThat(Specs.as(TestTokens.user(Jobs.newUserId(), "auditor").sign()).get("/exec/actions").then().statusCode(200)
                .extract().<List<String>>path("actions.name"), hasSize(0));
    }

    @Test
    void failingProgramIsFailedWithItsExitCode() {
        JsonPath job = Jobs.run(Jobs.userToken(), "false", Map.of());
        assertThat(job.getString("status"), equalTo("failed"));
        assertThat(job.getInt("exitCode"), equalTo(1));
        assertThat(job.getString("error"), nullValue());
    }

    @Test
    void actionWhoseBinaryIsMissingIsUnavailableAndStartsNothing() {
        String token = Jobs.userToken();
        Jobs.submit(token, "missing-binary", Map.of()).then().spec(Specs.problem(503));
        assertEquals(0.0, Jobs.spawns("missing-binary"));
        Specs.as(token).get("/exec/jobs").then().statusCode(200).body("jobs", hasSize(0));
    }

    @Test
    void everyJobIsAuditedWithWhoWhatValuesExitCodeDurationAndSandbox() {
        String userId = Jobs.newUserId();
        String token = TestTokens.user(userId, "user").sign();
        String requestId = "test-" + UUID.randomUUID();
        String jobId = Specs.as(token).header("X-Request-Id", requestId)
                .body(new JsonObject().put("action", "echo").put("params", new JsonObject().put("text", "audited")).encode())
                .post("/exec/jobs").then().statusCode(202).extract().path("jobId");
        Jobs.await(token, jobId);

        // matched by the actor, which is unique to this test (a jobId, a UUID, may be taken for a card number
        // by the shared redactor about once in 400)
        JsonObject queued = AuditOutbox.await(AuditOutbox.typeAndDetail("exec_job", "phase", "queued")
                .and(e -> ("user:" + userId).equals(e.getString("actor"))));
        assertThat(queued.getString("actor"), equalTo("user:" + userId));
        assertThat(queued.getString("requestId"), equalTo(requestId));

        JsonObject finished = AuditOutbox.await(AuditOutbox.typeAndDetail("exec_job", "phase", "finished")
                .and(e -> ("user:" + userId).equals(e.getString("actor"))));
        JsonObject d = finished.getJsonObject("details");
        assertThat(finished.getString("outcome"), equalTo("success"));
        assertThat(finished.getString("actor"), equalTo("user:" + userId));
        assertThat(finished.getString("requestId"), equalTo(requestId));
        assertThat(finished.getString("service"), equalTo("exec-service"));
        assertThat(d.getString("action"), equalTo("echo"));
        assertThat(d.getString("param.text"), equalTo("audited"));
        assertThat(d.getString("exitCode"), equalTo("0"));
        assertThat(d.getString("status"), equalTo("succeeded"));
        assertThat(d.getString("durationMs"), matchesPattern("^[0-9]+$"));
        assertThat(d.getString("sandbox"), in(List.of("bubblewrap", "util-linux")));
    }

    @Test
    void returns429WithRetryAfterWhenTheQueueIsFull() {
        // the test profile has 2 workers and a queue of 2: at most 4 jobs are accepted at once
        String token = Jobs.userToken();
        List<String> accepted = new ArrayList<>();
        Response refused = null;
        for (int i = 0; i < 6 && refused == null; i++) {
            Response r = Jobs.submit(token, "sleep", Map.of("seconds", 2));
            if (r.statusCode() == 202) {
                accepted.add(r.path("jobId"));
            } else {
                refused = r;
            }
        }
        assertThat("a submission beyond workers + queue is refused", refused, notNullValue());
        refused.then().spec(Specs.problem(429)).header("Retry-After", equalTo("2"));
        assertThat(accepted.size(), org.hamcrest.Matchers.lessThanOrEqualTo(4));
        // the accepted ones all run to the end
        for (String id : accepted) {
            assertThat(Jobs.await(token, id).getString("status"), equalTo("succeeded"));
        }
        AuditOutbox.await(e -> "rate_limited".equals(e.getString("type"))
                && "queue_full".equals(e.getJsonObject("details").getString("reason")));
    }

    @Test
    void countsJobsByActionAndOutcomeWithQueueDepthAndDurations() {
        double echoes = Management.metric("portcullis_exec_jobs_total", "action", "echo", "outcome", "succeeded");
        double falses = Management.metric("portcullis_exec_jobs_total", "action", "false", "outcome", "failed");
        double timed = Management.metric("portcullis_exec_job_duration_seconds_count", "action", "echo", "outcome", "succeeded");
        Jobs.run(Jobs.userToken(), "echo", Map.of("text", "metrics"));
        Jobs.run(Jobs.userToken(), "false", Map.of());
        assertThat(Management.metric("portcullis_exec_jobs_total", "action", "echo", "outcome", "succeeded"), equalTo(echoes + 1));
        assertThat(Management.metric("portcullis_exec_jobs_total", "action", "false", "outcome", "failed"), equalTo(falses + 1));
        assertThat(Management.metric("portcullis_exec_job_duration_seconds_count", "action", "echo", "outcome", "succeeded"),
                equalTo(timed + 1));
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics, containsString("portcullis_exec_queue_depth"));
        assertThat(metrics, containsString("portcullis_exec_jobs_running"));
        assertThat(metrics, containsString("portcullis_exec_job_duration_seconds_count{action=\"echo\",outcome=\"succeeded\"}"));
        assertThat(metrics, containsString("portcullis_exec_queue_wait_seconds_count"));
        assertThat(metrics, containsString("portcullis_exec_refused_total"));
    }

    @Test
    void waitIsBoundedAndUnfinishedJobsAreReportedAsTheyAre() {
        String token = Jobs.userToken();
        String jobId = Jobs.submit(token, "sleep", Map.of("seconds", 1)).then().statusCode(202).extract().path("jobId");
        Specs.as(token).get("/exec/jobs/" + jobId).then().statusCode(200).body("status", in(List.of("queued", "running")))
                .body("exitCode", nullValue()).body("stdout", emptyOrNullString());
        Specs.as(token).queryParam("wait", 31).get("/exec/jobs/" + jobId).then().spec(Specs.problem(400))
                .body("field", equalTo("wait"));
        assertThat(Jobs.await(token, jobId).getString("status"), equalTo("succeeded"));
    }
}
