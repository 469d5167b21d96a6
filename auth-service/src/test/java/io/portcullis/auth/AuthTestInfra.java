package io.portcullis.auth;

import io.portcullis.common.testing.LocalInfraTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Real PostgreSQL and Redis, the test signing key and bootstrap credentials, for every test of this module. */
@WithTestResource(value = LocalInfraTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "portcullis_auth_test"))
@WithTestResource(value = AuthTestResource.class, scope = TestResourceScope.GLOBAL)
public final class AuthTestInfra {
}
