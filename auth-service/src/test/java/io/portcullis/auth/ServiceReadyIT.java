package io.portcullis.auth;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks against the packaged artifact. */
@QuarkusIntegrationTest
class ServiceReadyIT extends ServiceReadyTest {
}
