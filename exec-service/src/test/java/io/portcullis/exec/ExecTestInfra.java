package io.portcullis.exec;

import io.portcullis.common.testing.LocalInfraTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Real PostgreSQL and Redis for every test of this module (see {@link LocalInfraTestResource}), and
 * the test catalog of coreutils actions ({@link ExecTestCatalog}).
 */
@WithTestResource(value = LocalInfraTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "portcullis_exec_test"))
@WithTestResource(value = ExecTestCatalog.class, scope = TestResourceScope.GLOBAL)
public final class ExecTestInfra {
}
