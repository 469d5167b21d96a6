package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Specs;
import io.portcullis.gateway.Keys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * An upstream whose connections are all busy: a request waits for one at most {@code connect-timeout},
 * and only {@code max-waiting-per-upstream} may wait at all; then 503, never a queue without end.
 * Here one connection, one waiting place and 300 ms, against the stub's {@code /slow} that holds its
 * connection until the 1 s read timeout (504).
 */
@QuarkusTest
@TestProfile(UpstreamSaturationTest.OneConnection.class)
class UpstreamSaturationTest {

    public static class OneConnection implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.gateway.max-connections-per-upstream", "1",
                    "portcullis.gateway.max-waiting-per-upstream", "1",
                    "portcullis.gateway.connect-timeout", "PT0.3S");
        }
    }

    @Test
    void requestsWaitingForABusyUpstreamGet503InsteadOfQueueingForever() throws Exception {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).get("/exec/warm").then().statusCode(200);
        CompletableFuture<Integer> holder = CompletableFuture.supplyAsync(
                () -> given().header("X-API-Key", k.apiKey()).get("/exec/slow").statusCode());
        Thread.sleep(200); // the only connection is now held by /slow
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(
                () -> given().header("X-API-Key", k.apiKey()).get("/exec/a").statusCode());
        Thread.sleep(50); // it takes the only waiting place
        given().header("X-API-Key", k.apiKey()).get("/exec/b").then().spec(Specs.problem(503)); // no place left
        assertEquals(503, waiter.get(), "waited its 300 ms for the busy connection");
        assertEquals(504, holder.get(), "the slow request itself ends at the read timeout");
        given().header("X-API-Key", k.apiKey()).get("/exec/c").then().statusCode(200); // free again
    }
}
