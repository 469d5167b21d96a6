package io.portcullis.gateway;

import io.portcullis.common.testing.LocalInfraTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Real PostgreSQL and Redis for every test of this module (see {@link LocalInfraTestResource}). */
@WithTestResource(value = LocalInfraTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "portcullis_gateway_test"))
public final class GatewayTestInfra {
}
