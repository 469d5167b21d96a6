package io.portcullis.common.testing;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;

/**
 * What every Portcullis service shows once it is up: live, ready only with its PostgreSQL database
 * and Redis, Prometheus metrics and OpenAPI on the management port, none of them on the public port,
 * and security headers everywhere. A service's {@code ServiceReadyTest} ({@code @QuarkusTest}) and
 * {@code ServiceReadyIT} ({@code @QuarkusIntegrationTest}) extend it.
 */
public abstract class ServiceReadyContract {

    /** The OpenAPI title, e.g. {@code Portcullis audit-service}. */
    protected abstract String openApiTitle();

    @Test
    void isLive() {
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void isReadyWithItsDatabaseAndRedis() {
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")))
                .body("checks.name", hasItem(containsString("Redis")))
                .header("X-Content-Type-Options", "nosniff");
    }

    @Test
    void servesPrometheusMetrics() {
        Management.given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void servesOpenApi() {
        Management.given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo(openApiTitle()));
    }

    @Test
    void publicPortDoesNotServeManagementEndpoints() {
        for (String path : new String[] { "/q/metrics", "/q/health", "/q/openapi", "/q/dev-ui" }) {
            RestAssured.given().get(path).then().statusCode(404).contentType("application/problem+json")
                    .header("X-Frame-Options", "DENY");
        }
    }
}
