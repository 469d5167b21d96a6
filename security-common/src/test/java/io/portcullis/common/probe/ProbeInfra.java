package io.portcullis.common.probe;

import io.portcullis.common.testing.LocalInfraTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Real PostgreSQL and Redis (or private ones) and a management port, for every test of this module. */
@WithTestResource(value = LocalInfraTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "portcullis_common_test"))
public final class ProbeInfra {
}
