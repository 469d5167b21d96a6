package io.portcullis.audit;

import io.portcullis.common.testing.LocalInfraTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Real PostgreSQL and Redis for every test of this module (see {@link LocalInfraTestResource}). */
@WithTestResource(value = LocalInfraTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = { @ResourceArg(name = "database", value = "portcullis_audit_test"),
                // the service works as a login that owns nothing, as deployed; Flyway migrates as the owner
                @ResourceArg(name = "runtime-login", value = "portcullis_audit_test_runtime") })
public final class AuditTestInfra {
}
