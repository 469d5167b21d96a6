package io.portcullis.common.audit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/**
 * A refusal held back by the throttle and recorded later, inside somebody else's request, must not
 * be put down to that somebody (the scheduler is off here, so the later recording happens exactly in
 * the request chosen).
 */
@QuarkusTest
@TestProfile(DeferredAuditContextTest.NoScheduler.class)
class DeferredAuditContextTest {

    public static class NoScheduler implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false");
        }
    }

    @Test
    void aHeldBackEventIsNotPutDownToTheRequestThatRecordsIt() throws Exception {
        String marker = UUID.randomUUID().toString();
        given().queryParam("marker", marker).post("/probe/throttled-lazy").then().statusCode(403);
        given().queryParam("marker", marker).post("/probe/throttled-lazy").then().statusCode(403); // held back
        Thread.sleep(1100);
        String someoneElse = UUID.randomUUID().toString();
        String theirRequest = Specs.as(TestTokens.user(someoneElse, "user").sign()).post("/probe/flush-throttled").then()
                .statusCode(204).extract().header("X-Request-Id");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> events(marker).size() == 2);
        List<JsonObject> events = events(marker);
        for (JsonObject e : events) {
            assertFalse(String.valueOf(e.getString("actor")).contains(someoneElse), e.encode());
            assertNotEquals(theirRequest, e.getString("requestId"), e.encode());
        }
        assertEquals(2, events.size());
    }

    private static List<JsonObject> events(String marker) {
        return AuditOutbox.events().stream().filter(AuditOutbox.typeAndDetail("api_key", "marker", marker)).toList();
    }
}
