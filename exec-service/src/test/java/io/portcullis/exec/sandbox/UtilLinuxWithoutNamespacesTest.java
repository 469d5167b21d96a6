package io.portcullis.exec.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The containment checks with the weakest sandbox the service accepts: util-linux without
 * namespaces (what a machine without bubblewrap, where unshare is not allowed, gets). Here no pid
 * namespace takes the whole tree down: the process-group kill and the session sweep must, which
 * the fork bomb and the sleeping child of timeout(1) (in a process group of its own) put to the test.
 */
@QuarkusTest
@TestProfile(UtilLinuxWithoutNamespacesTest.Profile.class)
class UtilLinuxWithoutNamespacesTest extends SandboxContainmentTest {

    /**
     * A tool folder with everything the util-linux sandbox needs, but no unshare and no bwrap; jobs
     * share the service's network there, which this profile accepts as a Kubernetes deployment without
     * {@code SYS_ADMIN} does ({@link SharedNetworkRefusedTest} shows the default).
     */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.exec.sandbox.tool-path", toolsWithoutNamespaces().toString(),
                    "portcullis.exec.sandbox.kind", "util-linux", "portcullis.exec.sandbox.allow-shared-network", "true");
        }
    }

    static Path toolsWithoutNamespaces() {
        try {
            Path dir = Files.createTempDirectory("portcullis-exec-tools-");
            // the sandbox user runs the tools from here
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String tool : List.of("setsid", "setpriv", "prlimit", "kill", "head", "readlink", "touch", "env")) {
                for (String folder : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
                    Path real = Path.of(folder, tool);
                    if (Files.isExecutable(real)) {
                        Files.createSymbolicLink(dir.resolve(tool), real);
                        break;
                    }
                }
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var links = Files.list(dir)) {
                    for (Path p : links.toList()) {
                        Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // best effort
                }
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void runsInTheUtilLinuxSandboxWithoutNamespaces() {
        JsonPath r = sandbox();
        assertThat(r.getString("kind"), equalTo("util-linux"));
        for (String ns : List.of("pid", "net", "mnt", "user")) {
            assertThat(ns, r.getBoolean("namespaces." + ns), is(false));
        }
    }
}
