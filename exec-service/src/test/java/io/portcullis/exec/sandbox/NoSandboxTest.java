package io.portcullis.exec.sandbox;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
import io.portcullis.exec.Jobs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A machine where no sandbox can be built (here: none of its tools can be found). The service
 * starts, says it is not ready, and refuses every job without starting a process: it never falls
 * back to running actions unsandboxed on its own.
 */
@QuarkusTest
@TestProfile(NoSandboxTest.Profile.class)
class NoSandboxTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.exec.sandbox.tool-path", "/nonexistent/portcullis-tools");
        }
    }

    @Test
    void refusesEveryJobWith503AndStartsNoProcess() {
        String token = Jobs.userToken();
        Jobs.submit(token, "echo", Map.of("text", "hello")).then().spec(Specs.problem(503));
        assertEquals(0.0, Jobs.spawns("echo"));
        Specs.as(token).get("/exec/jobs").then().statusCode(200).body("jobs", hasSize(0));
    }

    @Test
    void stillValidatesBeforeAnythingElse() {
        Jobs.submit(Jobs.userToken(), "echo", Map.of("text", "$(id)")).then().spec(Specs.problem(400))
                .body("field", equalTo("params.text"));
    }

    @Test
    void isNotReady() {
        Management.given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'exec sandbox' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'exec sandbox' }.data.kind", equalTo("none"));
        Management.given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void selfTestSaysWhy() {
        Specs.as(Jobs.adminToken()).get("/exec/sandbox").then().statusCode(200)
                .body("kind", equalTo("none")).body("ready", is(false))
                .body("problems", hasItem(org.hamcrest.Matchers.containsString("head, readlink and touch")));
    }
}
