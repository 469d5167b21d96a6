package io.portcullis.exec.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import io.restassured.path.json.JsonPath;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The containment checks with the util-linux sandbox forced, on a machine where {@code auto} would
 * take bubblewrap (elsewhere SandboxContainmentTest already runs them with util-linux).
 */
@QuarkusTest
@TestProfile(UtilLinuxSandboxTest.Profile.class)
@EnabledIf("bubblewrapInstalled")
class UtilLinuxSandboxTest extends SandboxContainmentTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.exec.sandbox.kind", "util-linux");
        }
    }

    static boolean bubblewrapInstalled() {
        return List.of("/usr/bin/bwrap", "/bin/bwrap").stream().anyMatch(p -> Files.isExecutable(Path.of(p)));
    }

    @Test
    void runsInTheUtilLinuxSandboxWithNamespacesWhenRoot() {
        JsonPath r = sandbox();
        assertThat(r.getString("kind"), equalTo("util-linux"));
        if (isRoot()) { // unshare needs root
            for (String ns : List.of("pid", "net", "mnt", "ipc", "uts")) {
                assertThat(ns, r.getBoolean("namespaces." + ns), is(true));
            }
        }
    }

    static boolean isRoot() {
        return Tools.currentUid() == 0;
    }
}
