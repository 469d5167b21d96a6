package io.portcullis.exec.sandbox;

import org.junit.jupiter.api.Tag;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The containment checks against the packaged artifact. */
@QuarkusIntegrationTest
@Tag("integration")
class SandboxContainmentIT extends SandboxContainmentTest {
}
