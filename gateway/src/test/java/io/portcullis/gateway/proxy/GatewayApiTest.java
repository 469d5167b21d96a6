package io.portcullis.gateway.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.portcullis.gateway.GatewayTestResource;
import io.portcullis.gateway.Keys;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The gateway from the outside; GatewayApiIT runs the same against the packaged artifact. */
@QuarkusTest
public class GatewayApiTest {

    @TestHTTPResource
    java.net.URL base;

    static String echoHeader(JsonPath echo, String name) {
        List<Map<String, String>> headers = echo.getList("headers");
        return headers.stream().filter(h -> h.get("name").equals(name)).map(h -> h.get("value")).findFirst().orElse(null);
    }

    // ---- keys ----

    @Test
    void missingKeyIs401WithAChallenge() {
        given().get("/secrets/v1/x").then().spec(Specs.problem(401))
                .header("WWW-Authenticate", containsString("X-API-Key"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "garbage", "pcx_short_x", "pcx_abcdefghijklmnop_tooshort",
            "pcx_ABCDEFGHIJKLMNOP_0123456789012345678901234567890123456789012",
            // the right length and separators, one character outside its alphabet
            "pcx_abcdefgh-jklmnop_0123456789012345678901234567890123456789012",
            "pcx_abcdefghijklmnop_012345678901234567890123456789012345678901+",
            "pcx_abcdefghijklmnop_012345678901234567890123456789012345678901=",
            "pcx_abcdefghijklmnop_012345678901234567890123456789012345678901." })
    void malformedKeysAre403(String key) {
        // refused by their shape, before any lookup (an unknown key would be a 403 too, counted as "unknown")
        double before = io.portcullis.common.testing.Management.metric("portcullis_gateway_key_decisions_total", "outcome", "malformed");
        given().header("X-API-Key", key).get("/secrets/v1/x").then().spec(Specs.problem(403));
        assertEquals(before + 1, io.portcullis.common.testing.Management.metric("portcullis_gateway_key_decisions_total",
                "outcome", "malformed"));
    }

    @Test
    void unknownKeyAndWrongSecretAre403() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", "pcx_0000000000000000_" + "A".repeat(43)).get("/secrets/v1/x").then().spec(Specs.problem(403));
        String wrongSecret = k.apiKey().substring(0, 21) + "B".repeat(43);
        given().header("X-API-Key", wrongSecret).get("/secrets/v1/x").then().spec(Specs.problem(403));
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().statusCode(200);
    }

    @Test
    void aKeyOnlyOpensItsScopes() {
        Keys.Key k = Keys.create("/secrets");
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/team/db").then().statusCode(200);
        given().header("X-API-Key", k.apiKey()).get("/secrets").then().statusCode(200);
        given().header("X-API-Key", k.apiKey()).get("/exec/jobs").then().spec(Specs.problem(403));
        given().header("X-API-Key", k.apiKey()).get("/auth/login").then().spec(Specs.problem(403));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/secrets/../auth/users", "/secrets/%2e%2e/auth/users", "/secrets/%2E%2E/auth/users",
            "/secrets/.%2e/auth/users", "/secrets%2f..%2fauth", "/secrets/..%2fauth/users", "/secrets/%252e%252e/auth",
            "/secrets/%c0%ae%c0%ae/auth", "/secrets/./../auth", "/secrets/%5c..%5cauth",
            "/secrets/x%00/../../auth", "/secrets/%2F..%2Fauth", "/secrets/.%2E/auth" })
    void noEncodingOfDotDotEscapesAScope(String path) {
        Keys.Key k = Keys.create("/secrets");
        Response r = given().urlEncodingEnabled(false).header("X-API-Key", k.apiKey()).get(path);
        org.hamcrest.MatcherAssert.assertThat(r.statusCode(), org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(403)));
        assertEquals("application/problem+json", r.contentType());
    }

    @Test
    void rawBackslashesAndSpacesInThePathAre400() throws IOException {
        Keys.Key k = Keys.create("/");
        for (String path : new String[] { "/secrets/..\\auth", "/secrets/a b", "/secrets//auth/users", "/secrets/./x" }) {
            String status = rawRequest("GET " + path + " HTTP/1.1\r\nHost: x\r\nX-API-Key: " + k.apiKey() + "\r\nConnection: close\r\n\r\n");
            // a space breaks HTTP itself: Vert.x answers 400 before any route; the rest reach the path check
            org.junit.jupiter.api.Assertions.assertTrue(status.startsWith("HTTP/1.1 400 ") || status.startsWith("HTTP/1.0 400 "), path + " -> " + status);
        }
    }

    @Test
    void aScopeIsAPrefixOnSegmentBoundaries() {
        Keys.Key k = Keys.create("/secrets/v1/team");
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/team/db").then().statusCode(200);
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/teamevil/db").then().spec(Specs.problem(403));
    }

    @Test
    void anEncodedButHarmlessPathIsJudgedDecodedAndForwardedAsSent() {
        Keys.Key k = Keys.create("/secrets");
        JsonPath echo = given().urlEncodingEnabled(false).header("X-API-Key", k.apiKey()).get("/%73ecrets/v1/a%20b")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("/%73ecrets/v1/a%20b", echo.getString("uri"));
    }

    @Test
    void keysAreNeverAcceptedInTheQueryString() {
        Keys.Key k = Keys.create("/");
        given().queryParam("api_key", k.apiKey()).get("/secrets/v1/x").then().spec(Specs.problem(400));
        given().header("X-API-Key", k.apiKey()).queryParam("x", k.apiKey()).get("/secrets/v1/x").then().spec(Specs.problem(400));
        // as the service will read them: percent-encoded names and values are keys too
        String encodedPrefix = k.apiKey().replaceFirst("^pcx_", "%70cx%5F");
        for (String query : new String[] { "%61pikey=x", "API%2DKEY=x", "x-%41pi-%4Bey=x", "Api_Key=x",
                "x=" + encodedPrefix }) {
            given().urlEncodingEnabled(false).header("X-API-Key", k.apiKey()).get("/secrets/v1/x?" + query)
                    .then().spec(Specs.problem(400)).body("type", containsString("key-in-query"));
        }
        given().urlEncodingEnabled(false).header("X-API-Key", k.apiKey()).get("/secrets/v1/x?%6Eame=apix").then().statusCode(200);
        // the gateway's own API as well, with a valid key in the header: the URL is what access logs keep
        Keys.admin().queryParam("api_key", k.apiKey()).get("/gateway/keys").then().spec(Specs.problem(400))
                .body("type", containsString("key-in-query"));
        Keys.admin().get("/gateway/keys").then().statusCode(200);
    }

    @Test
    void pathParametersAreRefusedSoNoRouteOrLimitCanBeSteppedAround() {
        Keys.Key k = Keys.create("/");
        // JAX-RS would match /auth/login;a as /auth/login: past the login route's limit
        for (String path : new String[] { "/auth/login;a", "/auth/login%3Ba", "/secrets;x/v1/a", "/auth/session;" }) {
            given().urlEncodingEnabled(false).header("X-API-Key", k.apiKey()).post(path)
                    .then().spec(Specs.problem(400)).body("type", containsString("bad-path"));
        }
    }

    @Test
    void noSpellingOfTheGatewayApiGetsPastItsDoor() {
        String admin = TestTokens.admin().sign();
        // without a key: refused at the door (401) or as a bad path (400), never the resource's 200
        Specs.as(admin).urlEncodingEnabled(false).get("/%67ateway/keys").then().spec(Specs.problem(401));
        Specs.as(admin).urlEncodingEnabled(false).get("/gateway;x/keys").then().spec(Specs.problem(400));
        Specs.as(admin).urlEncodingEnabled(false).get("/gateway/keys;x").then().spec(Specs.problem(400));
        Specs.as(admin).urlEncodingEnabled(false).get("/%67ateway%2Fkeys").then().spec(Specs.problem(400));
        // a key scoped elsewhere does not open it through an encoding either
        Keys.Key secretsOnly = Keys.create("/secrets");
        Specs.as(admin).urlEncodingEnabled(false).header("X-API-Key", secretsOnly.apiKey()).get("/%67ateway/keys")
                .then().spec(Specs.problem(403));
    }

    @Test
    void aRevokedKeyStopsWithinASecond() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().statusCode(200); // now cached
        Keys.admin().delete("/gateway/keys/" + k.keyId()).then().statusCode(204);
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 403);
        AuditOutbox.await(AuditOutbox.typeAndDetail("api_key", "keyId", k.keyId())
                .and(e -> "revoked".equals(e.getJsonObject("details").getString("action"))));
        AuditOutbox.await(e -> "api_key".equals(e.getString("type")) && "denied".equals(e.getString("outcome"))
                && ("key:" + k.keyId()).equals(e.getString("actor"))
                && "revoked".equals(e.getJsonObject("details").getString("reason")));
    }

    @Test
    void anExpiredKeyIsRefused() {
        Keys.Key k = Keys.create(List.of("/"), 1000, 60, Instant.now().plusSeconds(2).toString());
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 403);
    }

    @Test
    void refusalsAreAudited() {
        Keys.Key k = Keys.create("/secrets");
        given().header("X-API-Key", k.apiKey()).get("/exec/jobs").then().statusCode(403);
        var e = AuditOutbox.await(ev -> "api_key".equals(ev.getString("type")) && ("key:" + k.keyId()).equals(ev.getString("actor"))
                && "denied".equals(ev.getString("outcome")));
        assertEquals("out_of_scope", e.getJsonObject("details").getString("reason"));
    }

    // ---- forwarding ----

    @Test
    void forwardsUnchangedWithForwardedHeadersFromTheRealPeer() {
        Keys.Key k = Keys.create("/");
        JsonPath echo = given().header("X-API-Key", k.apiKey())
                .header("X-Forwarded-For", "6.6.6.6").header("X-Forwarded-Proto", "https").header("Forwarded", "for=6.6.6.6")
                .header("X-Portcullis-Key-Id", "forged").header("X-Request-Id", "trace-abcdef12")
                .header("X-Portcullis-Groups", "admin").header("X-User-ID", "admin").header("X-Original-URL", "/gateway/keys")
                .queryParam("q", "1")
                .get("/auth/session").then().statusCode(200)
                .header("X-Request-Id", "trace-abcdef12")
                .extract().jsonPath();
        assertEquals("/auth/session", echo.getString("path"));
        assertEquals("q=1", echo.getString("query"));
        assertEquals("127.0.0.1", echoHeader(echo, "x-forwarded-for"));
        assertEquals("http", echoHeader(echo, "x-forwarded-proto"));
        assertNull(echoHeader(echo, "forwarded"));
        assertEquals(k.keyId(), echoHeader(echo, "x-portcullis-key-id"));
        assertEquals("trace-abcdef12", echoHeader(echo, "x-request-id"));
        assertNull(echoHeader(echo, "x-api-key"), "the key never leaves the gateway");
        assertNull(echoHeader(echo, "x-portcullis-groups"), "the gateway's namespace is its own");
        assertNull(echoHeader(echo, "x-user-id"), "no identity header from the client reaches a service");
        assertNull(echoHeader(echo, "x-original-url"));
    }

    /** The gateway's own API spends a key's limit as the proxy does: same headers, same 429, same audit. */
    @Test
    void theGatewayApiReportsAndEnforcesTheKeysLimitLikeTheProxy() {
        Keys.Key k = Keys.create(List.of("/"), 2, 60, null);
        String admin = TestTokens.admin().sign();
        for (int i = 0; i < 2; i++) {
            Specs.as(admin).header("X-API-Key", k.apiKey()).get("/gateway/keys").then().statusCode(200)
                    .header("RateLimit-Policy", containsString(";q=2;w=60"))
                    .header("RateLimit", matchesPattern("^\"[a-z-]+\";r=" + (1 - i) + ";t=[0-9]+$"));
        }
        Specs.as(admin).header("X-API-Key", k.apiKey()).get("/gateway/keys").then().spec(Specs.problem(429))
                .header("Retry-After", matchesPattern("^[1-9][0-9]*$"))
                .header("RateLimit-Policy", containsString(";q=2;w=60"))
                .header("RateLimit", matchesPattern("^\"[a-z-]+\";r=0;t=[0-9]+$"));
        AuditOutbox.await(e -> "rate_limited".equals(e.getString("type")) && ("key:" + k.keyId()).equals(e.getString("actor")));
    }

    /** An API key's secret appears nowhere but in the one response that created it. */
    @Test
    void noApiKeyInTheLogsOrTheAuditTrail() throws Exception {
        Keys.Key k = Keys.create("/secrets");
        String secret = k.apiKey().substring(k.apiKey().lastIndexOf('_') + 1);
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().statusCode(200);
        given().header("X-API-Key", k.apiKey()).get("/exec/jobs").then().statusCode(403); // out of scope
        String last = k.apiKey().substring(k.apiKey().length() - 1);
        String wrong = k.apiKey().substring(0, k.apiKey().length() - 1) + ("A".equals(last) ? "B" : "A");
        given().header("X-API-Key", wrong).get("/secrets/v1/x").then().statusCode(403); // wrong secret
        given().queryParam("apikey", k.apiKey()).get("/secrets/v1/x").then().statusCode(400); // in the query string
        Keys.admin().delete("/gateway/keys/" + k.keyId()).then().statusCode(204);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode() == 403); // revoked
        // every decision above has reached the audit trail before it is searched
        for (String reason : List.of("out_of_scope", "unknown", "revoked")) {
            AuditOutbox.await(e -> "api_key".equals(e.getString("type")) && ("key:" + k.keyId()).equals(e.getString("actor"))
                    && reason.equals(e.getJsonObject("details").getString("reason")));
        }
        AuditOutbox.await(AuditOutbox.typeAndDetail("api_key", "keyId", k.keyId())
                .and(e -> "revoked".equals(e.getJsonObject("details").getString("action"))));
        String audit = io.portcullis.common.testing.AuditOutbox.events().toString();
        assertTrue(audit.contains(k.keyId()), "the key's decisions are audited by id");
        assertFalse(audit.contains(secret), "never its secret");
        java.nio.file.Path log = java.nio.file.Path.of("target/gateway-test.log");
        assertTrue(java.nio.file.Files.exists(log), "the test run logs to " + log);
        String logs = java.nio.file.Files.readString(log);
        assertTrue(logs.contains("Installed features"), "the log file is real");
        assertFalse(logs.contains(secret), "no API key secret in the logs");
    }

    @Test
    void aBodyGetsThroughWholeEvenWhenTheClientCallsItsLengthHopByHop() {
        Keys.Key k = Keys.create("/");
        JsonPath echo = given().header("X-API-Key", k.apiKey()).header("Connection", "keep-alive, Content-Length")
                .body("x".repeat(1000)).post("/secrets/v1/body").then().statusCode(200).extract().jsonPath();
        assertEquals(1000, echo.getInt("bodySize"));
    }

    /** HTTP/2 (cleartext, prior knowledge) without Content-Length: the body is streamed through whole. */
    @Test
    void anHttp2BodyOfUnknownLengthGetsThroughWhole() throws Exception {
        Keys.Key k = Keys.create("/");
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                    .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
            int port = io.restassured.RestAssured.port;
            String body = h2.request(io.vertx.core.http.HttpMethod.POST, port, "127.0.0.1", "/secrets/v1/h2")
                    .compose(req -> {
                        req.putHeader("X-API-Key", k.apiKey()).setChunked(true);
                        req.write("a".repeat(700));
                        req.write("b".repeat(300));
                        return req.end().compose(v -> req.response()).compose(r -> {
                            assertEquals(io.vertx.core.http.HttpVersion.HTTP_2, r.version());
                            assertEquals(200, r.statusCode());
                            return r.body();
                        });
                    }).toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS).toString();
            JsonPath echo = new JsonPath(body);
            assertEquals(1000, echo.getInt("bodySize"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void dropsHopByHopHeadersBothWays() {
        Keys.Key k = Keys.create("/");
        Response r = given().header("X-API-Key", k.apiKey()).header("Connection", "keep-alive, X-Client-Hop")
                .header("X-Client-Hop", "secret").header("Proxy-Authorization", "Basic Zm9vOmJhcg==").header("TE", "trailers")
                .get("/auth/session");
        r.then().statusCode(200).header("X-Hop-Secret", nullValue()).header("X-Upstream", "stub");
        JsonPath echo = r.jsonPath();
        assertNull(echoHeader(echo, "x-client-hop"));
        assertNull(echoHeader(echo, "proxy-authorization"));
        assertNull(echoHeader(echo, "te"));
    }

    @Test
    void proxiedResponsesCarryTheSecurityHeadersAndNoServerHeader() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).get("/auth/session").then().statusCode(200)
                .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
                .header("Referrer-Policy", "no-referrer").header("Cache-Control", "no-store")
                .header("Server", nullValue())
                .header("RateLimit-Policy", containsString("\"key\";q=100000;w=60"))
                .header("RateLimit", matchesPattern("^\"[a-z]+\";r=\\d+;t=\\d+$"));
    }

    @Test
    void streamsLargeResponses() {
        Keys.Key k = Keys.create("/");
        byte[] body = given().header("X-API-Key", k.apiKey()).get("/exec/big").then().statusCode(200).extract().asByteArray();
        assertEquals(2 * 1024 * 1024, body.length);
    }

    @Test
    void forwardsABodyUnderTheLimit() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).contentType("application/octet-stream").body(new byte[60_000])
                .post("/secrets/v1/x").then().statusCode(200).body("bodySize", equalTo(60_000));
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).contentType("application/octet-stream")
                .body(new byte[(int) GatewayTestResource.MAX_BODY + 1]).post("/secrets/v1/x").then().spec(Specs.problem(413));
    }

    @Test
    void aStreamedBodyThatGrowsOverTheLimitIs413() throws IOException {
        Keys.Key k = Keys.create("/");
        StringBuilder req = new StringBuilder("POST /secrets/v1/x HTTP/1.1\r\nHost: x\r\nX-API-Key: " + k.apiKey()
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        String chunk = "x".repeat(16 * 1024);
        for (int i = 0; i < 6; i++) {
            req.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        req.append("0\r\n\r\n");
        String status = rawRequest(req.toString());
        assertEquals("HTTP/1.1 413", status.substring(0, 12), status);
    }

    @Test
    void oversizedHeadersAre431() throws IOException {
        String status = rawRequest("GET /secrets/v1/x HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(20_000) + "\r\nConnection: close\r\n\r\n");
        assertEquals("HTTP/1.1 431", status.substring(0, 12), status);
    }

    @Test
    void anUpstreamThatIsDownIs503() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).get("/audit/events").then().spec(Specs.problem(503));
    }

    @Test
    void anUpstreamThatStaysSilentIs504() {
        Keys.Key k = Keys.create("/");
        // the stub answers /exec/slow with a 200 only after the read timeout: a 504 is the gateway's own answer
        given().header("X-API-Key", k.apiKey()).get("/exec/slow").then().spec(Specs.problem(504));
    }

    @Test
    void upstreamStatusesPassThrough() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).get("/secrets/status/418").then().statusCode(418);
    }

    /** No internal address leaks through a Location, and a response carries one request id: the gateway's. */
    @Test
    void aLocationToTheUpstreamsOwnAddressBecomesRelativeAndTheRequestIdIsTheGateways() {
        Keys.Key k = Keys.create("/");
        Response r = given().header("X-API-Key", k.apiKey()).post("/auth/users/created");
        r.then().statusCode(201).header("Location", equalTo("/auth/users/created/42"));
        List<String> ids = r.headers().getValues("X-Request-Id");
        assertEquals(1, ids.size(), ids.toString());
        assertFalse(ids.get(0).contains("upstream"), ids.toString());
    }

    @Test
    void theServicesManagementEndpointsAreNeverRouted() {
        Keys.Key k = Keys.create("/");
        for (String p : new String[] { "/q/metrics", "/q/health", "/q/openapi", "/unknown/x" }) {
            given().header("X-API-Key", k.apiKey()).get(p).then().spec(Specs.problem(404));
        }
    }

    // ---- rate limits ----

    @Test
    void returns429WithRetryAfterWhenOverLimit() {
        Keys.Key k = Keys.create(List.of("/"), 5, 60, null);
        for (int remaining = 4; remaining >= 0; remaining--) {
            given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().statusCode(200)
                    .header("RateLimit", matchesPattern("^\"key\";r=" + remaining + ";t=\\d+$"));
        }
        given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").then().spec(Specs.problem(429))
                .header("Retry-After", matchesPattern("^(1[0-2]|[1-9])$"))
                .header("RateLimit", matchesPattern("^\"key\";r=0;t=\\d+$"))
                .header("RateLimit-Policy", containsString("\"key\";q=5;w=60"));
        AuditOutbox.await(ev -> "rate_limited".equals(ev.getString("type")) && ("key:" + k.keyId()).equals(ev.getString("actor")));
    }

    @Test
    void theLoginRouteHasItsOwnTighterLimit() {
        Keys.Key k = Keys.create("/");
        given().header("X-API-Key", k.apiKey()).post("/auth/login").then().statusCode(200)
                .header("RateLimit-Policy", containsString("\"route\";q=30;w=60"));
    }

    @Test
    void theGatewayApiJudgesItsPathDecodedToo() {
        String admin = TestTokens.admin().sign();
        Keys.Key keysOnly = Keys.create("/gateway/keys");
        Specs.as(admin).urlEncodingEnabled(false).header("X-API-Key", keysOnly.apiKey()).get("/gateway/%6Beys")
                .then().statusCode(200);
        Specs.as(admin).urlEncodingEnabled(false).header("X-API-Key", GatewayTestResource.bootstrapKey())
                .get("/gateway/keys/%2e%2e/keys").then().spec(Specs.problem(400)).body("type", containsString("bad-path"));
    }

    @Test
    void exactlyTheLimitPassesUnderConcurrency() throws Exception {
        int limit = 20;
        Keys.Key k = Keys.create(List.of("/"), limit, 3600, null);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            results.add(pool.submit(() -> given().header("X-API-Key", k.apiKey()).get("/secrets/v1/x").statusCode()));
        }
        int ok = 0;
        int limited = 0;
        for (var f : results) {
            int s = f.get();
            if (s == 200) {
                ok++;
            } else if (s == 429) {
                limited++;
            }
        }
        pool.shutdown();
        assertEquals(limit, ok);
        assertEquals(100 - limit, limited);
        // the script ran down the event loops' own connections, not only through the pool
        assertTrue(io.portcullis.common.testing.Management.metric("portcullis_gateway_ratelimit_loop_connections") >= 1);
        // and the requests went upstream over the event loops' own connections
        assertTrue(io.portcullis.common.testing.Management.metric("portcullis_gateway_upstream_loop_clients") >= 1);
    }

    // ---- the gateway's own API ----

    @Test
    void createsAKeyShownOnceAndListsKeysWithoutSecrets() {
        Keys.Key k = Keys.create("/secrets", "/auth/login");
        String list = Keys.admin().get("/gateway/keys").then().statusCode(200)
                .body("keyId", hasItem(k.keyId())).body("status", hasItem("active"))
                .extract().asString();
        assertFalse(list.contains(k.apiKey().substring(21)), "never the secret");
        assertFalse(list.contains("secret_sha256") || list.contains("digest"));
    }

    @Test
    void theGatewayApiNeedsAnAdminAndAKey() {
        String admin = TestTokens.admin().sign();
        Specs.as(admin).get("/gateway/keys").then().spec(Specs.problem(401)); // no API key
        Keys.Key narrow = Keys.create("/secrets");
        Specs.as(admin).header("X-API-Key", narrow.apiKey()).get("/gateway/keys").then().spec(Specs.problem(403));
        Specs.json().header("X-API-Key", GatewayTestResource.bootstrapKey()).get("/gateway/keys").then().spec(Specs.problem(401));
        Specs.as(TestTokens.user("u1", "user").sign()).header("X-API-Key", GatewayTestResource.bootstrapKey())
                .get("/gateway/keys").then().spec(Specs.problem(403));
    }

    @Test
    void refusesBadKeyRequests() {
        Keys.admin().body(Map.of("name", "x", "scopes", List.of("/secrets/../auth"))).post("/gateway/keys")
                .then().spec(Specs.problem(400)).body("field", equalTo("scopes"));
        Keys.admin().body(Map.of("name", "x", "scopes", List.of())).post("/gateway/keys").then().spec(Specs.problem(400));
        Keys.admin().body(Map.of("name", "x\ny", "scopes", List.of("/"))).post("/gateway/keys").then().spec(Specs.problem(400))
                .body("field", equalTo("name"));
        Keys.admin().body(Map.of("name", "x", "scopes", List.of("/"), "expiresAt", "2001-01-01T00:00:00Z"))
                .post("/gateway/keys").then().spec(Specs.problem(400)).body("field", equalTo("expiresAt"));
        Keys.admin().body(Map.of("name", "x", "scopes", List.of("/"), "rateLimit", Map.of("requests", 0, "windowSeconds", 1)))
                .post("/gateway/keys").then().spec(Specs.problem(400));
        Keys.admin().delete("/gateway/keys/0000000000000000").then().spec(Specs.problem(404));
        Keys.admin().delete("/gateway/keys/..%2f..").then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(404)));
    }

    String rawRequest(String request) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                sb.append((char) c);
            }
            return sb.toString();
        } catch (java.net.SocketException e) {
            return "closed: " + e.getMessage();
        }
    }

}
