package io.portcullis.exec.rest;

import org.junit.jupiter.api.Tag;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The jobs API against the packaged artifact. */
@QuarkusIntegrationTest
@Tag("integration")
class JobsApiIT extends JobsApiTest {
}
