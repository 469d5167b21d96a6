package io.portcullis.secrets.rest;

import org.junit.jupiter.api.Tag;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks against the packaged artifact. */
@QuarkusIntegrationTest
@Tag("integration")
class SecretsApiIT extends SecretsApiTest {
}
