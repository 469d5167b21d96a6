package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.portcullis.devinfra.TestInfra;
import io.portcullis.gateway.Keys;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * Two gateways sharing one Redis: the packaged artifact under test and a second process of it, side
 * by side. Requests spread over both still let exactly the limit through.
 */
@QuarkusIntegrationTest
class TwoGatewaysIT {

    static Process second;
    static int secondPort;

    @BeforeAll
    static void startSecondGateway() throws Exception {
        secondPort = TestInfra.freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("gateway.test.config."))
                .forEach(n -> cmd.add("-D" + n.substring("gateway.test.config.".length()) + "=" + System.getProperty(n)));
        cmd.add("-Dquarkus.profile=test");
        cmd.add("-Dquarkus.http.port=" + secondPort);
        int management = TestInfra.freePort();
        cmd.add("-Dquarkus.management.port=" + management);
        cmd.add("-Dquarkus.management.test-port=" + management);
        cmd.add("-jar");
        cmd.add("target/quarkus-app/quarkus-run.jar");
        second = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("target/second-gateway.log")).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (java.io.IOException e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the second gateway did not become ready; see target/second-gateway.log");
            }
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stopSecondGateway() throws Exception {
        if (second != null) {
            second.destroy();
            second.waitFor();
        }
    }

    @Test
    void exactlyTheLimitPassesAcrossTwoGateways() throws Exception {
        int limit = 30;
        Keys.Key k = Keys.create(List.of("/"), limit, 3600, null);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            boolean toSecond = i % 2 == 1;
            results.add(pool.submit(() -> toSecond
                    ? given().baseUri("http://127.0.0.1").port(secondPort).header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode()
                    : given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode()));
        }
        int ok = 0;
        int limited = 0;
        for (Future<Integer> f : results) {
            int s = f.get();
            ok += s == 200 ? 1 : 0;
            limited += s == 429 ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(limit, ok);
        assertEquals(120 - limit, limited);
    }

    @Test
    void aKeyRevokedOnOneGatewayStopsOnTheOtherWithinASecond() throws Exception {
        Keys.Key k = Keys.create("/");
        given().baseUri("http://127.0.0.1").port(secondPort).header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().statusCode(200);
        Keys.admin().delete("/gateway/keys/" + k.keyId()).then().statusCode(204);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> given().baseUri("http://127.0.0.1").port(secondPort).header("X-API-Key", k.apiKey())
                        .get("/secrets/v1/x").statusCode() == 403);
    }
}
