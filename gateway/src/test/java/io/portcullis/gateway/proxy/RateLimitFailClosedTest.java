package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
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
        RedisRelay.down();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 503);
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().spec(Specs.problem(503));
        Management.given().get("/q/metrics").then()
                .body(org.hamcrest.Matchers.containsString("portcullis_gateway_ratelimit_unavailable_total{mode=\"closed\""));
        RedisRelay.up();
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 200);
    }
}
