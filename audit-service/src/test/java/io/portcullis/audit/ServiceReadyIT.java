package io.portcullis.audit;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks against the packaged artifact. */
@QuarkusIntegrationTest
class ServiceReadyIT extends ServiceReadyTest {
}
