package io.portcullis.common.jwt;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Fail-closed: once this service's copy of the revocation list is older than
 * {@code portcullis.revocation.max-staleness} (here 2 s, with no reload for an hour), it can no longer
 * tell an ended session from a live one, so it refuses every session token with 503 and Retry-After (a
 * dependency down, not a bad credential), while tokens that belong to no session (service tokens) still
 * pass.
 */
@QuarkusTest
@TestProfile(StaleRevocationListTest.NeverReloaded.class)
class StaleRevocationListTest {

    public static class NeverReloaded implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.revocation.max-staleness", "PT2S", "portcullis.revocation.resync-interval", "PT1H");
        }
    }

    @Test
    void aStaleListRefusesEverySessionTokenAndNothingElse() {
        String session = TestTokens.admin().claim("sid", "s-" + UUID.randomUUID()).sign();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> Specs.as(session).get("/probe/admin").statusCode() == 503);
        Specs.as(session).get("/probe/admin").then().spec(Specs.problem(503)).header("Retry-After", "5");
        Specs.as(TestTokens.admin().sign()).get("/probe/admin").then().statusCode(200);
        String staleness = Management.given().get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("portcullis_revocation_staleness_seconds")).findFirst().orElse("");
        org.junit.jupiter.api.Assertions.assertTrue(Double.parseDouble(staleness.substring(staleness.lastIndexOf(' ') + 1)) > 2,
                staleness);
    }
}
