package io.portcullis.secrets;

import io.portcullis.common.testing.LocalInfraTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Real PostgreSQL and Redis for every test of this module (see {@link LocalInfraTestResource}), and
 * throwaway key-encryption keys ({@link TestKeks}).
 */
@WithTestResource(value = LocalInfraTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = { @ResourceArg(name = "database", value = "portcullis_secrets_test"),
                // the service works as a login that owns nothing, as deployed; Flyway migrates as the owner
                @ResourceArg(name = "runtime-login", value = "portcullis_secrets_test_runtime") })
@WithTestResource(value = TestKeks.class, scope = TestResourceScope.GLOBAL)
public final class SecretsTestInfra {
}
