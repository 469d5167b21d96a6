package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Specs;
import io.portcullis.gateway.Keys;
import io.portcullis.gateway.StubUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * An upstream whose connections are all busy: only {@code max-waiting-per-upstream} requests may wait
 * for one; any further one is a 503 at once, never a queue without end. Here one connection and one
 * waiting place, against the stub's {@code /slow} that holds its connection until the 1 s read timeout
 * (504). The wait for a connection ({@code connect-timeout}, 5 s here) outlasts that hold, so the one
 * request that waits gets the connection once it is free, and only the refusal can give a 503.
 */
@QuarkusTest
@TestProfile(UpstreamSaturationTest.OneConnection.class)
class UpstreamSaturationTest {

    public static class OneConnection implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.gateway.max-connections-per-upstream", "1",
                    "portcullis.gateway.max-waiting-per-upstream", "1",
                    "portcullis.gateway.connect-timeout", "PT5S");
        }
    }

    @Test
    void requestsBeyondTheWaitingPlacesOfABusyUpstreamGet503InsteadOfQueueing() throws Exception {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).get("/exec/warm").then().statusCode(200);
        int slow = StubUpstream.SLOW_RECEIVED.get();
        CompletableFuture<Integer> holder = CompletableFuture.supplyAsync(
                () -> given().header("X-API-Key", k.apiKey()).get("/exec/slow").statusCode());
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> StubUpstream.SLOW_RECEIVED.get() > slow); // the only connection is now held
        // two more at once: one takes the waiting place, the other finds none
        CompletableFuture<Response> a = CompletableFuture.supplyAsync(() -> given().header("X-API-Key", k.apiKey()).get("/exec/a"));
        CompletableFuture<Response> b = CompletableFuture.supplyAsync(() -> given().header("X-API-Key", k.apiKey()).get("/exec/b"));
        List<Integer> statuses = List.of(a.get(10, TimeUnit.SECONDS).statusCode(), b.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(List.of(200, 503), statuses.stream().sorted().toList(), "one waited and was served, one was refused");
        (statuses.get(0) == 503 ? a : b).get().then().spec(Specs.problem(503));
        assertEquals(504, holder.get(10, TimeUnit.SECONDS), "the slow request itself ends at the read timeout");
        given().header("X-API-Key", k.apiKey()).get("/exec/c").then().statusCode(200); // free again
    }
}
