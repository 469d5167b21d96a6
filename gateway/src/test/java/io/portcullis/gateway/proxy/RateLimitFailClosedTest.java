package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.portcullis.gateway.GatewayTestResource;
import io.portcullis.gateway.Keys;
import io.portcullis.gateway.RedisRelay;
import io.quarkus.test.junit.QuarkusTest;

/** Redis unreachable with the default settings: every limited request gets 503, none slips through. */
@QuarkusTest
class RateLimitFailClosedTest {

    @AfterEach
    void redisBack() {
        RedisRelay.up();
    }

    @Test
    void refusesWith503WhileRedisIsDownAndRecovers() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().statusCode(200); // key now cached
        int mark = AuditOutbox.mark();
        RedisRelay.down();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 503);
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().spec(Specs.problem(503));
        Management.given().get("/q/metrics").then()
                .body(org.hamcrest.Matchers.containsString("portcullis_gateway_ratelimit_unavailable_total{mode=\"closed\""));
        RedisRelay.up();
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 200);
        // the events recorded while Redis was down were kept and reach the audit log once it is back
        AuditOutbox.awaitAfter(mark, AuditOutbox.typeAndDetail("rate_limited", "mode", "fail_closed")
                .and(e -> "failure".equals(e.getString("outcome"))));
    }

    /** Redis that takes the command and never answers (a hung server, a black-holed route): 503 in time, not a hang. */
    @Test
    void aRedisThatStopsAnsweringIsA503AtTheTimeoutNotAHang() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().statusCode(200); // key now cached
        double before = closedCount();
        RedisRelay.silent();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 503);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().spec(Specs.problem(503)));
        org.junit.jupiter.api.Assertions.assertTrue(closedCount() > before, "the refusal is counted");
        RedisRelay.up();
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 200);
    }

    @Test
    void theGatewayApiIsRefusedTooAndSaysSo() {
        String admin = TestTokens.admin().sign();
        Specs.as(admin).header("X-API-Key", GatewayTestResource.bootstrapKey()).get("/gateway/keys").then().statusCode(200);
        double before = closedCount();
        RedisRelay.down();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> Specs.as(admin).header("X-API-Key", GatewayTestResource.bootstrapKey()).get("/gateway/keys")
                        .statusCode() == 503);
        Specs.as(admin).header("X-API-Key", GatewayTestResource.bootstrapKey()).get("/gateway/keys").then()
                .spec(Specs.problem(503));
        org.junit.jupiter.api.Assertions.assertTrue(closedCount() > before, "the refusal is counted");
    }

    private static double closedCount() {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("portcullis_gateway_ratelimit_unavailable_total\\{mode=\"closed\"[^}]*\\} ([0-9.E]+)")
                .matcher(Management.given().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
