package io.portcullis.common.audit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.awaitility.Awaitility;
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

    @Test
    void aThrottledFloodIsCountedInFullEvenWhenNothingFollowsIt() {
        String marker = UUID.randomUUID().toString();
        for (int i = 0; i < 7; i++) {
            given().queryParam("marker", marker).post("/probe/throttled").then().statusCode(403);
        }
        // one event at once; the others are counted, and when no later event carries the count, the last
        // skipped one is recorded about a second later with it
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> represented(marker) == 7);
        List<JsonObject> events = withMarker(marker);
        assertThat(events.size(), lessThan(7));
        for (JsonObject e : events) {
            assertThat(e.getString("sourceIp"), matchesPattern("^(127\\.0\\.0\\.1|0:0:0:0:0:0:0:1|::1)$"));
            assertThat(e.getString("requestId"), matchesPattern("^[0-9a-f]{32}$"));
        }
    }

    private static List<JsonObject> withMarker(String marker) {
        return AuditOutbox.events().stream().filter(AuditOutbox.typeAndDetail("authz_failure", "marker", marker)).toList();
    }

    /** Events recorded plus the suppressed counts they carry. */
    private static long represented(String marker) {
        return withMarker(marker).stream()
                .mapToLong(e -> 1 + Long.parseLong(String.valueOf(e.getJsonObject("details").getValue("suppressed", "0")))).sum();
    }
}
