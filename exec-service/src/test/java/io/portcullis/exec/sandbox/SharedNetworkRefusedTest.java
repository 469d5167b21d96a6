package io.portcullis.exec.sandbox;

import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.exec.Jobs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A sandbox that cannot give jobs a network namespace of their own (util-linux without unshare), with
 * the default settings: an action that must not have the network is refused with 503 and audited,
 * rather than run with the service's network; one that asks for the network still runs.
 */
@QuarkusTest
@TestProfile(SharedNetworkRefusedTest.Profile.class)
class SharedNetworkRefusedTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.exec.sandbox.tool-path", UtilLinuxWithoutNamespacesTest.toolsWithoutNamespaces().toString(),
                    "portcullis.exec.sandbox.kind", "util-linux");
        }
    }

    @Test
    void anActionWithoutNetworkIsRefusedWhereTheSandboxCannotCutIt() {
        String token = Jobs.userToken();
        Jobs.submit(token, "net-devices", Map.of()).then().spec(Specs.problem(503));
        AuditOutbox.await(e -> "exec_job".equals(e.getString("type")) && "denied".equals(e.getString("outcome"))
                && "no_network_isolation".equals(e.getJsonObject("details").getString("reason"))
                && "net-devices".equals(e.getJsonObject("details").getString("action")));
        org.hamcrest.MatcherAssert.assertThat(Jobs.run(token, "net-devices-with-network", Map.of()).getString("status"),
                equalTo("succeeded"));
    }
}
