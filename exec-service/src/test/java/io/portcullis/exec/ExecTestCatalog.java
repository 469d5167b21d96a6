package io.portcullis.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Hands the test catalog ({@code src/test/resources/test-catalog.yaml}) to the service under test as a
 * file, so that the packaged artifact ({@code @QuarkusIntegrationTest}), which does not see the test
 * classpath, reads the same catalog.
 */
public class ExecTestCatalog implements QuarkusTestResourceLifecycleManager {

    private Path file;

    @Override
    public Map<String, String> start() {
        try (InputStream in = ExecTestCatalog.class.getClassLoader().getResourceAsStream("test-catalog.yaml")) {
            file = Files.createTempFile("portcullis-exec-test-catalog-", ".yaml");
            Files.write(file, in.readAllBytes());
            return Map.of("portcullis.exec.catalog", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // best effort
        }
    }
}
