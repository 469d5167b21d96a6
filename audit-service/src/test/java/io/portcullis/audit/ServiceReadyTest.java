package io.portcullis.audit;

import io.portcullis.common.testing.ServiceReadyContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ServiceReadyTest extends ServiceReadyContract {

    @Override
    protected String openApiTitle() {
        return "Portcullis audit-service";
    }
}
