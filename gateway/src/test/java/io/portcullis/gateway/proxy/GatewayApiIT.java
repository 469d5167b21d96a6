package io.portcullis.gateway.proxy;

import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
class GatewayApiIT extends GatewayApiTest {
}
