package io.portcullis.common.problem;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ProblemAndHeadersTest {

    @jakarta.inject.Inject
    io.portcullis.common.jwt.VerifiedTokenCache verifiedTokens;

    @Test
    void theServicesAuthenticationRemembersVerifiedTokensAndNothingElse() {
        verifiedTokens.clear();
        String token = TestTokens.admin().sign();
        Specs.as(token).get("/probe/admin").then().statusCode(200);
        Specs.as(token).get("/probe/admin").then().statusCode(200);
        Specs.as(TestTokens.admin().signWithUntrustedKey()).get("/probe/admin").then().spec(Specs.problem(401));
        Specs.as(TestTokens.user("user:1", "user").sign()).get("/probe/admin").then().spec(Specs.problem(403));
        // the admin token, and the user's token (authenticated, then refused by role): never the forged one
        org.junit.jupiter.api.Assertions.assertEquals(2, verifiedTokens.size());
    }

    @Test
    void theServicesAuthenticationUsesThePrincipalsThatReadCustomClaimsWithoutThrowing() throws Exception {
        org.junit.jupiter.api.Assertions.assertEquals(io.portcullis.common.jwt.ClaimsPrincipalFactory.Principal.class,
                verifiedTokens.parse(TestTokens.user("user:1", "user").claim("sid", "s-1").sign()).getClass());
    }

    @Test
    void unknownPathIsA404Problem() {
        given().get("/no/such/thing").then().spec(Specs.problem(404))
                .body("type", equalTo("urn:portcullis:problem:not-found"));
    }

    @Test
    void wrongMethodIsA405Problem() {
        given().delete("/probe/ok").then().spec(Specs.problem(405));
    }

    @Test
    void wrongContentTypeIsA415Problem() {
        given().contentType(ContentType.TEXT).body("name=x").post("/probe/items").then().spec(Specs.problem(415));
    }

    @Test
    void malformedJsonIsA400ProblemWithoutParserInternals() {
        Specs.json().body("{\"name\": \"x\", ").post("/probe/items").then().spec(Specs.problem(400))
                .body("type", equalTo("urn:portcullis:problem:malformed-body"))
                .body(not(containsString("line:")))
                .body(not(containsString("com.fasterxml")));
    }

    @Test
    void wrongJsonTypeNamesTheField() {
        Specs.json().body("{\"name\": \"x\", \"count\": \"many\"}").post("/probe/items").then().spec(Specs.problem(400))
                .body("field", equalTo("count"));
    }

    @Test
    void aBodyMeansOneThingOnlyNoDuplicateKeysNoTruncatedOrQuotedNumbers() {
        Specs.json().body("{\"name\": \"x\", \"count\": 1, \"count\": 5}").post("/probe/items").then().spec(Specs.problem(400))
                .body("type", equalTo("urn:portcullis:problem:malformed-body"));
        Specs.json().body("{\"name\": \"x\", \"count\": 1.9}").post("/probe/items").then().spec(Specs.problem(400))
                .body("field", equalTo("count"));
        Specs.json().body("{\"name\": \"x\", \"count\": \"3\"}").post("/probe/items").then().spec(Specs.problem(400))
                .body("field", equalTo("count"));
        Specs.json().body("{\"name\": \"x\", \"count\": 3}").post("/probe/items").then().statusCode(201);
    }

    @Test
    void constraintViolationsAre400WithEachField() {
        Specs.json().body("{\"name\": \"\", \"count\": 99}").post("/probe/items").then().spec(Specs.problem(400))
                .body("type", equalTo("urn:portcullis:problem:validation"))
                .body("errors.field", hasItem("name"))
                .body("errors.field", hasItem("count"))
                .body(not(containsString("arg0")))
                .body(not(containsString("create.")));
    }

    @Test
    void aValidBodyPasses() {
        Specs.json().body("{\"name\": \"box\", \"count\": 3}").post("/probe/items").then().statusCode(201)
                .body("name", equalTo("box"));
    }

    @Test
    void validationExceptionIsA400NamingTheFieldButNotTheValue() {
        given().queryParam("name", "$(id);rm -rf /").get("/probe/package").then().spec(Specs.problem(400))
                .body("field", equalTo("name"))
                .body(not(containsString("rm -rf")));
    }

    @Test
    void unexpectedExceptionIsA500WithNothingInternal() {
        given().get("/probe/boom").then().spec(Specs.problem(500))
                .body(not(containsString("IllegalStateException")))
                .body(not(containsString("SELECT")))
                .body(not(containsString("/etc/portcullis")))
                .body(not(containsString("db-internal-7")))
                .body(not(containsString("ProbeResource")));
    }

    @Test
    void aDownedDatabaseIs503WithRetryAfterAndAnEventNeverA500() {
        for (String path : new String[] { "/probe/database?state=57P01", "/probe/database?state=08006",
                "/probe/database?state=28000", "/probe/database?state=53300", "/probe/database?state=55000&severity=FATAL",
                "/probe/unreachable" }) {
            given().get(path).then().spec(Specs.problem(503)).header("Retry-After", "1")
                    .body(not(containsString("db-internal-7"))).body(not(containsString("portcullis_app")))
                    .body(not(containsString("SELECT"))).body(not(containsString("Exception")));
        }
        io.vertx.core.json.JsonObject e = io.portcullis.common.testing.AuditOutbox.await(io.portcullis.common.testing.AuditOutbox.typeAndDetail("system_error", "reason", "dependency_unavailable")
                .and(ev -> "/probe/unreachable".equals(ev.getJsonObject("details").getString("path"))));
        org.junit.jupiter.api.Assertions.assertEquals("failure", e.getString("outcome"));
    }

    @Test
    void aWriteThatLostARaceIs409AndAnyOtherDatabaseErrorStaysA500() {
        for (String state : new String[] { "23505", "40001", "40P01" }) {
            given().get("/probe/database?state=" + state).then().spec(Specs.problem(409))
                    .body(not(containsString("db-internal-7"))).body(not(containsString("SELECT")));
        }
        given().get("/probe/database?state=42601").then().spec(Specs.problem(500)).body(not(containsString("SELECT")));
    }

    @Test
    void problemExceptionKeepsItsStatusAndHeaders() {
        given().get("/probe/conflict").then().spec(Specs.problem(409)).body("detail", equalTo("The version does not match."));
        given().get("/probe/limited").then().spec(Specs.problem(429)).header("Retry-After", "7");
    }

    @Test
    void bodyOverTheLimitIsA413Problem() {
        Specs.json().body("{\"name\": \"" + "x".repeat(40_000) + "\", \"count\": 1}").post("/probe/items")
                .then().spec(Specs.problem(413));
    }

    @Test
    void missingTokenIsA401ProblemWithChallenge() {
        given().get("/probe/admin").then().spec(Specs.problem(401)).header("WWW-Authenticate", "Bearer");
    }

    @Test
    void validTokenOfTheRightGroupPasses() {
        Specs.as(TestTokens.admin().sign()).get("/probe/admin").then().statusCode(200).body("admin", equalTo(true));
    }

    @Test
    void wrongGroupIsA403Problem() {
        Specs.as(TestTokens.user("user:1", "user").sign()).get("/probe/admin").then().spec(Specs.problem(403));
    }

    @Test
    void aSessionEndedElsewhereIsRefusedWithinASecondThroughPubSubAlone() {
        String sid = "s-" + java.util.UUID.randomUUID();
        String token = TestTokens.admin().claim("sid", sid).sign();
        Specs.as(token).get("/probe/admin").then().statusCode(200);
        // auth-service ends the session: this service hears of it only through the channel (no sorted set entry,
        // and the next resync is seconds away)
        io.portcullis.common.testing.AuditOutbox.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.PUBLISH)
                .arg(io.portcullis.common.testing.Revocations.channel()).arg(sid + "|" + (System.currentTimeMillis() + 60_000)));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(1)).pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> Specs.as(token).get("/probe/admin").statusCode() == 401);
        Specs.as(token).get("/probe/admin").then().spec(Specs.problem(401));
        // another session of the same user is untouched
        Specs.as(TestTokens.admin().claim("sid", "s-" + java.util.UUID.randomUUID()).sign()).get("/probe/admin").then()
                .statusCode(200);
    }

    @Test
    void rejectsATokenPastItsExpiryEvenWithinItsAgeLimit() {
        // issued 5 minutes ago (within the 15-minute age limit), expired 3 minutes ago (beyond the 60 s skew):
        // only exp refuses it
        Specs.as(TestTokens.admin().issuedAt(Instant.now().minusSeconds(300)).expiresAt(Instant.now().minusSeconds(180)).sign())
                .get("/probe/admin").then().spec(Specs.problem(401));
        Specs.as(TestTokens.admin().issuedAt(Instant.now().minusSeconds(300)).expiresAt(Instant.now().plusSeconds(180)).sign())
                .get("/probe/admin").then().statusCode(200);
    }

    @Test
    void aRefusedForgeryIsAudited() {
        String marker = "forged-" + java.util.UUID.randomUUID();
        Specs.as(TestTokens.admin().signWithUntrustedKey()).get("/probe/admin/" + marker).then().spec(Specs.problem(401));
        io.vertx.core.json.JsonObject e = io.portcullis.common.testing.AuditOutbox
                .await(io.portcullis.common.testing.AuditOutbox.typeAndDetail("authz_failure", "path", "/probe/admin/" + marker));
        org.junit.jupiter.api.Assertions.assertEquals("unauthenticated", e.getJsonObject("details").getString("reason"));
        org.junit.jupiter.api.Assertions.assertEquals("denied", e.getString("outcome"));
        org.junit.jupiter.api.Assertions.assertEquals("anonymous", e.getString("actor"), "a forged token speaks for nobody");
    }

    /** A client that varies the path does not get one audit event per request: they are counted in one. */
    @Test
    void refusalsOnVaryingPathsAreThrottledAndCountedNotOneEventEach() {
        String marker = "varying-" + java.util.UUID.randomUUID();
        String forged = TestTokens.admin().signWithUntrustedKey();
        for (int i = 0; i < 20; i++) {
            Specs.as(forged).get("/probe/admin/" + marker + "-" + i).then().statusCode(401);
        }
        java.util.function.Supplier<java.util.List<io.vertx.core.json.JsonObject>> mine = () -> io.portcullis.common.testing.AuditOutbox.events()
                .stream().filter(e -> "authz_failure".equals(e.getString("type")) && e.getJsonObject("details") != null
                        && String.valueOf(e.getJsonObject("details").getString("path")).startsWith("/probe/admin/" + marker))
                .toList();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> mine.get().stream()
                .mapToLong(e -> 1 + Long.parseLong(String.valueOf(e.getJsonObject("details").getValue("suppressed", "0")))).sum() >= 20);
        // (>= : a refusal of an earlier test still held back in the same window is counted in with these)
        org.junit.jupiter.api.Assertions.assertTrue(mine.get().size() <= 3, mine.get().size() + " events for 20 refusals");
    }

    @Test
    void rejectsATokenNotValidYet() {
        Specs.as(TestTokens.admin().claim("nbf", Instant.now().plusSeconds(600).getEpochSecond()).sign())
                .get("/probe/admin").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsATokenSignedByAKeyItNamesItself() {
        Specs.as(TestTokens.admin().signWithKeyItNamesItself()).get("/probe/admin").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsAnHs256TokenKeyedWithThePublicKey() {
        Specs.as(TestTokens.admin().signHs256WithThePublicKey()).get("/probe/admin").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsTokenFromWrongIssuer() {
        Specs.as(TestTokens.admin().issuer("https://evil.example").sign()).get("/probe/admin").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsTokenForWrongAudience() {
        Specs.as(TestTokens.admin().audience("someone-else").sign()).get("/probe/admin").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsTokenSignedWithAnUntrustedKey() {
        Specs.as(TestTokens.admin().signWithUntrustedKey()).get("/probe/admin").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsAlgNoneToken() {
        Specs.as(TestTokens.admin().unsigned()).get("/probe/admin").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsTamperedToken() {
        String token = TestTokens.user("user:1", "user").sign();
        String[] parts = token.split("\\.");
        String forgedPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("\"user\"]", "\"admin\"]").getBytes());
        Specs.as(parts[0] + "." + forgedPayload + "." + parts[2]).get("/probe/admin").then().spec(Specs.problem(401));
    }

    @Test
    void endpointWithoutARuleIsNotReachable() {
        given().get("/probe/unannotated").then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(401), equalTo(403)))
                .contentType("application/problem+json");
        Specs.as(TestTokens.admin().sign()).get("/probe/unannotated").then().spec(Specs.problem(403));
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() {
        for (String path : new String[] { "/probe/ok", "/no/such/thing", "/probe/boom" }) {
            given().get(path).then()
                    .header("X-Content-Type-Options", "nosniff")
                    .header("X-Frame-Options", "DENY")
                    .header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
                    .header("Referrer-Policy", "no-referrer")
                    .header("Server", nullValue())
                    .header("Strict-Transport-Security", nullValue()) // plain HTTP here
                    .header("X-Request-Id", notNullValue());
        }
    }

    @Test
    void managementEndpointsCarryTheSecurityHeadersToo() {
        Management.given().get("/q/health/live").then().statusCode(200)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("X-Request-Id", notNullValue());
    }

    @Test
    void authenticatedResponsesAreNeverCached() {
        Specs.as(TestTokens.admin().sign()).get("/probe/cacheable").then().statusCode(200).header("Cache-Control", "no-store");
        given().header("X-API-Key", "pcx_x_y").get("/probe/cacheable").then().header("Cache-Control", "no-store");
    }

    @Test
    void anonymousResponsesKeepTheirOwnCachePolicyOrGetNoStore() {
        given().get("/probe/cacheable").then().statusCode(200).header("Cache-Control", "public, max-age=60");
        given().get("/probe/ok").then().statusCode(200).header("Cache-Control", "no-store");
    }

    @Test
    void wellFormedRequestIdIsKeptAndEchoedInProblems() {
        given().header("X-Request-Id", "trace-1234abcd").get("/no/such/thing").then()
                .header("X-Request-Id", "trace-1234abcd")
                .body("requestId", equalTo("trace-1234abcd"));
    }

    @Test
    void malformedRequestIdIsReplaced() {
        for (String bad : new String[] { "short", "evil\tid-123456", "x".repeat(200), "<script>alert(1)</script>" }) {
            given().header("X-Request-Id", bad).get("/probe/ok").then()
                    .header("X-Request-Id", matchesPattern("^[0-9a-f]{32}$"));
        }
    }
}
