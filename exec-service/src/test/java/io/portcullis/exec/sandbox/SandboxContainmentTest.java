package io.portcullis.exec.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Specs;
import io.portcullis.exec.Jobs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * What a job can and cannot do, seen from inside the sandbox through real processes: who it runs as,
 * its environment, where it can write, and how the limits and the timeout stop hostile workloads.
 * Runs against the packaged artifact too (SandboxContainmentIT), and with each util-linux variant of
 * the sandbox (UtilLinuxSandboxTest, UtilLinuxWithoutNamespacesTest).
 */
@QuarkusTest
public class SandboxContainmentTest {

    /** The kind and namespaces the service under test built (from its self-test). */
    static JsonPath sandbox() {
        return Specs.as(Jobs.adminToken()).get("/exec/sandbox").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void runsAsAnUnprivilegedUserWithoutGroupZero() {
        JsonPath job = Jobs.run(Jobs.userToken(), "id", Map.of());
        assertThat(job.getString("status"), equalTo("succeeded"));
        String id = job.getString("stdout");
        assertThat(id, matchesPattern("(?s)^uid=[0-9]+.*"));
        assertThat(id, not(startsWith("uid=0(")));
        assertThat(id, not(containsString("gid=0(")));
        assertThat(id, not(containsString("groups=0(")));
        assertThat(id, not(containsString(",0(")));
    }

    @Test
    void hasNoNewPrivsAndNoCapabilities() {
        String status = Jobs.run(Jobs.userToken(), "proc-status", Map.of()).getString("stdout");
        assertThat(status, containsString("NoNewPrivs:\t1"));
        assertThat(status, containsString("CapEff:\t0000000000000000"));
        assertThat(status, containsString("CapPrm:\t0000000000000000"));
        assertThat(status, not(matchesPattern("(?s).*\\nUid:\\t0\\t.*")));
    }

    @Test
    void environmentIsExactlyPathPlusWhatTheActionDeclares() {
        JsonPath job = Jobs.run(Jobs.userToken(), "env", Map.of());
        assertThat(job.getString("status"), equalTo("succeeded"));
        List<String> lines = Arrays.asList(job.getString("stdout").split("\n"));
        Set<String> keys = lines.stream().map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toCollection(TreeSet::new));
        assertThat(keys, equalTo(new TreeSet<>(Set.of("PATH", "LANG", "PORTCULLIS_DECLARED", "JOB_HOME"))));
        assertThat(lines, hasItem("PATH=/usr/bin:/bin"));
        assertThat(lines, hasItem("LANG=C.UTF-8"));
        assertThat(lines, hasItem("PORTCULLIS_DECLARED=yes"));
        // nothing of the service's own environment leaks (HOME, JAVA_HOME, MAVEN_*, secrets...)
        assertThat(job.getString("stdout"), not(containsString("JAVA")));
        assertThat(job.getString("stdout"), not(containsString("HOME=/root")));
    }

    @Test
    void startsInAFreshEmptyWorkFolderThatIsRemovedAfterwards() {
        String token = Jobs.userToken();
        JsonPath list = Jobs.run(token, "list-workdir", Map.of());
        assertThat(list.getString("status"), equalTo("succeeded"));
        assertThat(list.getString("stdout"), equalTo(""));
        // a file a job leaves behind is not seen by the next job
        Jobs.run(token, "touch", Map.of("path", "left-behind"));
        assertThat(Jobs.run(token, "list-workdir", Map.of()).getString("stdout"), equalTo(""));

        String pwd = Jobs.run(token, "pwd", Map.of()).getString("stdout").strip();
        if (!pwd.equals("/work")) { // bubblewrap shows the folder as /work; elsewhere it is the host path
            assertFalse(Files.exists(Path.of(pwd)), "the work folder is removed after the job");
        }
    }

    @Test
    void stdinIsClosed() {
        JsonPath job = Jobs.run(Jobs.userToken(), "read-stdin", Map.of());
        assertThat(job.getString("status"), equalTo("succeeded")); // cat reads end-of-file at once
        assertThat(job.getString("stdout"), equalTo(""));
    }

    @Test
    void cannotWriteOutsideItsWorkFolder() {
        String token = Jobs.userToken();
        String marker = "portcullis-escape-" + UUID.randomUUID();
        // the control: inside its work folder it can write
        assertThat(Jobs.run(token, "touch", Map.of("path", marker)).getString("status"), equalTo("succeeded"));

        String pwd = Jobs.run(token, "pwd", Map.of()).getString("stdout").strip();
        List<String> outside = new java.util.ArrayList<>(List.of("/" + marker, "/etc/" + marker, "/usr/" + marker,
                "/var/" + marker, "/usr/bin/" + marker));
        if (!pwd.equals("/work")) {
            outside.add(Path.of(pwd).getParent().resolve(marker).toString()); // the service's folder of work folders
        }
        if ("bubblewrap".equals(sandbox().getString("kind"))) {
            outside.add("/tmp/" + marker); // the read-only view has no writable /tmp at all
            outside.add("/dev/shm/" + marker);
        }
        for (String path : outside) {
            JsonPath job = Jobs.run(token, "touch", Map.of("path", path));
            assertThat(path, job.getString("status"), equalTo("failed"));
            assertThat(path, job.getInt("exitCode"), greaterThan(0));
            assertFalse(Files.exists(Path.of(path)), path + " must not exist");
        }
    }

    @Test
    void forkBombIsStoppedByTheProcessLimitAndKilledWholeAtTheTimeout() {
        String tag = "bomb-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
        JsonPath job = Jobs.run(Jobs.userToken(), "fork-bomb", Map.of("tag", tag));
        // the limit stopped the forks: each process that hit it says so
        assertThat(job.prettify(), job.getString("stdout"), containsString("fork failed: Resource temporarily unavailable"));
        long children = Arrays.stream(job.getString("stdout").split("\n")).filter("child"::equals).count();
        assertThat("processes created stay under the limit of 16", children, lessThanOrEqualTo(16L));
        // it never ends by itself: the timeout kills all of it
        assertThat(job.getString("status"), equalTo("timed_out"));
        assertThat(job.get("exitCode"), nullValue());
        assertThat(Jobs.processesWithArgument(tag), empty());
    }

    @Test
    void memoryHogIsStoppedByTheAddressSpaceLimit() {
        String token = Jobs.userToken();
        JsonPath hog = Jobs.run(token, "memory-hog", Map.of("size", "1G"));
        assertThat(hog.getString("status"), equalTo("failed"));
        assertThat(hog.getInt("exitCode"), equalTo(1));
        assertThat(hog.getString("stderr"), containsString("memory exhausted"));
        // the control: the same program with a buffer under the limit runs
        assertThat(Jobs.run(token, "memory-hog", Map.of("size", "1M")).getString("status"), equalTo("succeeded"));
    }

    @Test
    void sleepingJobIsKilledAtItsTimeoutWithItsChildren() {
        String token = Jobs.userToken();
        // a unique sleep length marks the child: timeout(1) starts it in a process group of its own
        String seconds = "3600." + String.format("%09d", ThreadLocalRandom.current().nextInt(1_000_000_000));
        String jobId = Jobs.submit(token, "sleep-tree", Map.of("seconds", seconds)).then().statusCode(202).extract().path("jobId");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !Jobs.processesWithArgument(seconds).isEmpty() || finished(token, jobId));
        assertThat("the child was running", Jobs.processesWithArgument(seconds), not(empty()));

        JsonPath job = Jobs.await(token, jobId);
        assertThat(job.getString("status"), equalTo("timed_out"));
        assertThat(job.get("exitCode"), nullValue());
        assertThat(job.getString("error"), containsString("killed"));
        // the child is gone with it
        assertThat(Jobs.processesWithArgument(seconds), empty());
    }

    private static boolean finished(String token, String jobId) {
        String status = Specs.as(token).get("/exec/jobs/" + jobId).then().extract().path("status");
        return !List.of("queued", "running").contains(status);
    }

    @Test
    void hugeOutputIsTruncatedAndFlagged() {
        JsonPath job = Jobs.run(Jobs.userToken(), "flood", Map.of("count", 2_000_000));
        assertThat(job.getString("status"), equalTo("succeeded"));
        assertThat(job.getBoolean("truncated"), is(true));
        assertThat(job.getString("stdout").length(), equalTo(64 * 1024));
        assertThat(job.getString("stdout"), startsWith("1\n2\n3\n"));
    }

    @Test
    void smallOutputIsNotFlagged() {
        JsonPath job = Jobs.run(Jobs.userToken(), "flood", Map.of("count", 10));
        assertThat(job.getBoolean("truncated"), is(false));
        assertThat(job.getString("stdout"), equalTo("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"));
    }

    @Test
    void hasNoNetworkUnlessTheActionAsksForIt() {
        Assumptions.assumeTrue(Boolean.TRUE.equals(sandbox().get("namespaces.net")),
                "this sandbox has no network namespace");
        String token = Jobs.userToken();
        List<String> isolated = devices(Jobs.run(token, "net-devices", Map.of()).getString("stdout"));
        assertThat(isolated, equalTo(List.of("lo")));
        List<String> shared = devices(Jobs.run(token, "net-devices-with-network", Map.of()).getString("stdout"));
        assertThat(shared.size(), greaterThan(1));
    }

    private static List<String> devices(String procNetDev) {
        return Arrays.stream(procNetDev.split("\n")).skip(2).map(l -> l.substring(0, l.indexOf(':')).strip()).sorted().toList();
    }

    @Test
    void selfTestReportsWhatAJobSeesFromInside() {
        JsonPath r = sandbox();
        assertThat(r.getString("kind"), org.hamcrest.Matchers.in(List.of("bubblewrap", "util-linux")));
        assertThat(r.getBoolean("ready"), is(true));
        assertThat(r.getList("problems"), empty());
        assertThat(r.getInt("uid"), not(equalTo(0)));
        assertThat(r.getInt("gid"), not(equalTo(0)));
        assertThat(r.getList("environmentKeys"), equalTo(List.of("PATH")));
        assertThat(r.getBoolean("noNewPrivs"), is(true));
        assertThat(r.getString("capabilitiesEffective"), matchesPattern("^0+$"));
        assertThat(r.getString("limits.processes"), equalTo("32"));
        assertThat(r.getString("limits.address-space"), equalTo(Long.toString(512L << 20)));
        assertThat(r.getString("limits.core-size"), equalTo("0"));
        assertThat(r.getString("writeOutsideWorkFolder"), equalTo("denied"));
        assertThat(r.getList("launcher"), notNullValue());
        if (r.getString("kind").equals("bubblewrap")) {
            for (String ns : List.of("user", "pid", "net", "mnt", "ipc", "uts")) {
                assertThat(ns, r.getBoolean("namespaces." + ns), is(true));
            }
        }
    }

    @Test
    void selfTestIsForAdminsOnly() {
        Specs.as(Jobs.userToken()).get("/exec/sandbox").then().spec(Specs.problem(403));
        Specs.json().get("/exec/sandbox").then().spec(Specs.problem(401));
    }
}
