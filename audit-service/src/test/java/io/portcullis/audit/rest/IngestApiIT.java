package io.portcullis.audit.rest;

import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
class IngestApiIT extends IngestApiTest {
}
