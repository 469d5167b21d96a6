package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Specs;
import io.portcullis.gateway.Keys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A database that hangs (here: the keys table locked by another session) while a key that is not in
 * memory yet is looked up: the request gets 503 at the lookup timeout, never waits with the database,
 * and keys work again as soon as the database answers.
 */
@QuarkusTest
@TestProfile(KeyLookupTimeoutTest.ShortLookups.class)
class KeyLookupTimeoutTest {

    public static class ShortLookups implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.gateway.key-cache.lookup-timeout", "PT0.5S");
        }
    }

    @Test
    void aHungKeyLookupIs503AtTheTimeoutNotAHang() throws Exception {
        Keys.Key k = Keys.create("/"); // made, never used: not in memory
        var config = ConfigProvider.getConfig();
        try (Connection db = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(null))) {
            db.setAutoCommit(false);
            try (Statement st = db.createStatement()) {
                st.execute("LOCK TABLE api_key IN ACCESS EXCLUSIVE MODE");
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().spec(Specs.problem(503)));
            db.rollback();
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 200);
    }
}
