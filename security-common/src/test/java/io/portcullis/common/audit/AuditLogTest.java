package io.portcullis.common.audit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

@QuarkusTest
class AuditLogTest {

    @Test
    void recordsARedactedEventWithTheRequestContextInTheDurableOutbox() {
        String marker = UUID.randomUUID().toString();
        Specs.as(TestTokens.user("0b4a3c1e-1111-4222-8333-444455556666", "user").sign())
                .header("X-Request-Id", "req-" + marker.substring(0, 8))
                .queryParam("marker", marker)
                .post("/probe/audit").then().statusCode(202);

        JsonObject e = AuditOutbox.await(AuditOutbox.typeAndDetail("config_change", "marker", marker));
        assertThat(e.getString("outcome"), equalTo("success"));
        assertThat(e.getString("actor"), equalTo("user:0b4a3c1e-1111-4222-8333-444455556666"));
        assertThat(e.getString("service"), equalTo("security-common-probe"));
        assertThat(e.getString("requestId"), equalTo("req-" + marker.substring(0, 8)));
        assertThat(e.getString("sourceIp"), matchesPattern("^(127\\.0\\.0\\.1|0:0:0:0:0:0:0:1|::1)$"));
        assertThat(e.getString("id"), matchesPattern("^[0-9a-f-]{36}$"));
        assertThat(e.getJsonObject("details").getString("password"), equalTo(Redactor.REDACTED));
        assertThat(e.getJsonObject("details").getString("note"), not(containsString("\n")));
        assertThat(e.encode(), not(containsString("hunter2")));
    }
}
