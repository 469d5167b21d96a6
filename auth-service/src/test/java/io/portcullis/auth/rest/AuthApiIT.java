package io.portcullis.auth.rest;

import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
class AuthApiIT extends AuthApiTest {
}
