package io.portcullis.gateway;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** PostgreSQL, Redis (through a relay), stub upstreams and a bootstrap key for every test of this module. */
@WithTestResource(value = GatewayTestResource.class, scope = TestResourceScope.GLOBAL)
public final class GatewayTestInfra {
}
