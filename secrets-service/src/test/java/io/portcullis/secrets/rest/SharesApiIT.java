package io.portcullis.secrets.rest;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks against the packaged artifact. */
@QuarkusIntegrationTest
class SharesApiIT extends SharesApiTest {
}
