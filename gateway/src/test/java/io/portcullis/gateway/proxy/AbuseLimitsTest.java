package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.matchesPattern;

import java.security.SecureRandom;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.gateway.Keys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Limits that stop one client's abuse, exact because nothing refills during the test.
 *
 * <ul>
 * <li>A flood of made-up keys from one client address: each costs a database lookup, and the
 * address's budget of them (600 a minute by default) stops the flood with 429 before PostgreSQL, on
 * proxied routes and on the gateway's own API alike, while keys held in memory go on working. The
 * requests come through a trusted proxy (127.0.0.1) on behalf of an address of their own, so that no
 * other test shares the budget.</li>
 * <li>The login route's limit (30 per key, here per hour so that no slot comes back while the test
 * runs) counts every spelling of {@code /auth/login}.</li>
 * </ul>
 */
@QuarkusTest
@TestProfile(AbuseLimitsTest.ThroughAProxy.class)
class AbuseLimitsTest {

    public static class ThroughAProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("portcullis.gateway.trusted-proxies", "127.0.0.1",
                    "portcullis.gateway.rate-limit.routes[0].window", "PT1H");
        }
    }

    static final SecureRandom RANDOM = new SecureRandom();

    static String madeUpKey() {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
        }
        return "pcx_" + id + "_" + "B".repeat(43);
    }

    /** How many made-up keys were answered 403 before the first 429, and that 429. */
    record Flood(int refused, Response limited) {
    }

    /**
     * Made-up keys from {@code address} until the first 429 (a GCRA budget refills one lookup every
     * 100 ms, so a few more than 600 get through while the flood runs, and one may again right after).
     */
    static Flood floodUntil429(String address, String path) {
        return floodUntil429(n -> address, path);
    }

    /** The same from an address that may change with each request ({@code n} counts them). */
    static Flood floodUntil429(java.util.function.IntFunction<String> address, String path) {
        int refused = 0;
        while (refused < 1500) {
            Response r = given().header("X-API-Key", madeUpKey()).header("X-Forwarded-For", address.apply(refused)).get(path);
            if (r.statusCode() == 429) {
                return new Flood(refused, r);
            }
            org.junit.jupiter.api.Assertions.assertEquals(403, r.statusCode());
            refused++;
        }
        throw new AssertionError("no 429 after " + refused + " made-up keys from " + address);
    }

    @Test
    void theServicesSeeTheClientTheTrustedProxyVouchesForNeverOneTheClientWrote() {
        Keys.Key k = Keys.create("/");
        io.restassured.path.json.JsonPath echo = given().header("X-API-Key", k.apiKey())
                .header("X-Forwarded-For", "6.6.6.6, 198.51.100.23").get("/auth/session").then().statusCode(200)
                .extract().jsonPath();
        // Quarkus behind the gateway takes the left-most entry: it must be the client, not 6.6.6.6
        org.junit.jupiter.api.Assertions.assertEquals("198.51.100.23, 127.0.0.1",
                GatewayApiTest.echoHeader(echo, "x-forwarded-for"));
    }

    /**
     * A trusted proxy that adds its own X-Forwarded-For line after the one the client wrote: the two
     * lines are one list, so the client is still the hop the proxy vouches for, not the first line.
     */
    @Test
    void aSecondForwardedForLineIsReadWithTheFirst() {
        Keys.Key k = Keys.create("/");
        io.restassured.path.json.JsonPath echo = given().header("X-API-Key", k.apiKey())
                .header("X-Forwarded-For", "6.6.6.6").header("X-Forwarded-For", "198.51.100.24")
                .header("X-Forwarded-Proto", "http").header("X-Forwarded-Proto", "https")
                .get("/auth/session").then().statusCode(200).extract().jsonPath();
        org.junit.jupiter.api.Assertions.assertEquals("198.51.100.24, 127.0.0.1",
                GatewayApiTest.echoHeader(echo, "x-forwarded-for"));
        org.junit.jupiter.api.Assertions.assertEquals("https", GatewayApiTest.echoHeader(echo, "x-forwarded-proto"));
    }

    /** Refusals before any key is looked at are audited with the client the trusted proxy vouches for, not the proxy. */
    @Test
    void refusedPathsAndKeysInTheUrlAreAuditedWithTheRealClient() {
        String address = "198.51.100." + (1 + RANDOM.nextInt(250));
        given().urlEncodingEnabled(false).header("X-Forwarded-For", address).get("/secrets/%2e%2e/x").then()
                .spec(Specs.problem(400));
        io.portcullis.common.testing.AuditOutbox.await(e -> "validation_failure".equals(e.getString("type"))
                && address.equals(e.getString("sourceIp")));
        given().header("X-Forwarded-For", address).queryParam("api_key", "pcx_x").get("/secrets/v1/x").then()
                .spec(Specs.problem(400));
        io.portcullis.common.testing.AuditOutbox.await(e -> "api_key".equals(e.getString("type"))
                && "key_in_query".equals(e.getJsonObject("details").getString("reason")) && address.equals(e.getString("sourceIp")));
    }

    /** An IPv6 client has a whole /64: a flood spread over its addresses shares one budget. */
    @Test
    void anIpv6FloodIsCountedPerSlash64() {
        String prefix = "2001:db8:" + Integer.toHexString(RANDOM.nextInt(0xffff)) + ":" + Integer.toHexString(RANDOM.nextInt(0xffff)) + ":";
        Flood flood = floodUntil429(n -> prefix + Integer.toHexString(n + 1) + "::1", "/secrets/v1/x");
        org.junit.jupiter.api.Assertions.assertTrue(flood.refused() >= 599 && flood.refused() < 700,
                "one budget for the /64: " + flood.refused());
    }

    @Test
    void aFloodOfMadeUpKeysIsStoppedBeforeTheDatabase() {
        String address = "198.51." + RANDOM.nextInt(256) + "." + RANDOM.nextInt(256);
        Keys.Key valid = Keys.create("/");
        given().header("X-API-Key", valid.apiKey()).header("X-Forwarded-For", address).get("/secrets/v1/x").then()
                .statusCode(200); // one lookup, then held in memory
        Flood flood = floodUntil429(address, "/secrets/v1/x");
        org.junit.jupiter.api.Assertions.assertTrue(flood.refused() >= 599, "the whole budget is granted: " + flood.refused());
        flood.limited().then().spec(Specs.problem(429)).header("Retry-After", matchesPattern("^[1-9][0-9]*$"));
        // a key held in memory costs no lookup: it goes on working from the same address
        given().header("X-API-Key", valid.apiKey()).header("X-Forwarded-For", address).get("/secrets/v1/x").then()
                .statusCode(200);
        // and another address has its own budget
        given().header("X-API-Key", madeUpKey()).header("X-Forwarded-For", "203.0.113." + RANDOM.nextInt(256))
                .get("/secrets/v1/x").then().spec(Specs.problem(403));
        AuditOutbox.await(AuditOutbox.typeAndDetail("rate_limited", "policy", "key-lookups")
                .and(e -> address.equals(e.getString("sourceIp"))));
    }

    @Test
    void noEncodingOfTheLoginPathEscapesItsLimit() {
        Keys.Key k = Keys.create("/");
        String[] spellings = { "/auth/login", "/auth/%6Cogin", "/auth/l%6Fgin", "/%61uth/login" };
        for (int i = 0; i < 30; i++) {
            given().urlEncodingEnabled(false).header("X-API-Key", k.apiKey()).post(spellings[i % 4]).then().statusCode(200)
                    .header("RateLimit-Policy", org.hamcrest.Matchers.containsString("\"route\";q=30;w=3600"));
        }
        for (String spelling : spellings) {
            given().urlEncodingEnabled(false).header("X-API-Key", k.apiKey()).post(spelling).then().spec(Specs.problem(429))
                    .header("RateLimit", matchesPattern("^\"route\";r=0;t=\\d+$"));
        }
    }

    @Test
    void theGatewayApiSpendsTheSameBudget() {
        String address = "192.0.2." + RANDOM.nextInt(256);
        Flood flood = floodUntil429(address, "/gateway/keys");
        org.junit.jupiter.api.Assertions.assertTrue(flood.refused() >= 600, "the whole budget is granted: " + flood.refused());
        flood.limited().then().spec(Specs.problem(429)).header("Retry-After", matchesPattern("^[1-9][0-9]*$"));
    }
}
