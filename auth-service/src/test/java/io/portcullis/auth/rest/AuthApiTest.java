package io.portcullis.auth.rest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.portcullis.auth.Accounts;
import io.portcullis.auth.Accounts.Account;
import io.portcullis.auth.AuthTestResource;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

/** auth-service from the outside; AuthApiIT runs the same against the packaged artifact. */
@QuarkusTest
public class AuthApiTest {

    static JsonObject claims(String jwt) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    static JsonObject header(String jwt) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
    }

    static String withoutRequestId(String problemJson) {
        JsonObject o = new JsonObject(problemJson);
        o.remove("requestId");
        return o.encode();
    }

    // ---- login ----

    @Test
    void loginOpensASessionAndIssuesAShortLivedRs256Token() {
        Account a = Accounts.create("user", "auditor");
        JsonPath body = Accounts.login(a.username(), a.password()).then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("tokenType", equalTo("Bearer"))
                .body("sessionToken", matchesPattern("^[A-Za-z0-9_-]{43}$"))
                .body("expiresIn", lessThanOrEqualTo(900))
                .extract().jsonPath();
        String jwt = body.getString("accessToken");
        JsonObject h = header(jwt);
        assertEquals("RS256", h.getString("alg"));
        assertTrue(h.getString("kid") != null && !h.getString("kid").isEmpty());
        JsonObject c = claims(jwt);
        assertEquals(TestTokens.ISSUER, c.getString("iss"));
        assertEquals(a.id(), c.getString("sub"));
        assertEquals(a.username(), c.getString("upn"));
        assertTrue(c.getJsonArray("groups").contains("user") && c.getJsonArray("groups").contains("auditor"));
        assertTrue(c.getString("sid") != null && c.getString("jti") != null);
        assertTrue(c.getLong("exp") - c.getLong("iat") <= 900);
        assertThat(c.encode(), containsString("\"aud\":\"portcullis\""));
        Specs.as(jwt).get("/auth/me").then().statusCode(200).body("username", equalTo(a.username()));
    }

    @Test
    void usernamesAreCaseInsensitive() {
        Account a = Accounts.create();
        Accounts.login(a.username().toUpperCase(), a.password()).then().statusCode(200);
    }

    @Test
    void everyLoginFailureLooksTheSame() {
        Account a = Accounts.create();
        Account disabled = Accounts.create();
        Specs.as(TestTokens.admin().sign()).post("/auth/users/" + disabled.id() + "/disable").then().statusCode(200);
        String unknown = Accounts.login(Accounts.uniqueName("nobody"), Accounts.strongPassword()).then()
                .spec(Specs.problem(401)).extract().asString();
        String wrong = Accounts.login(a.username(), "wrong-" + a.password()).then().spec(Specs.problem(401)).extract().asString();
        String off = Accounts.login(disabled.username(), disabled.password()).then().spec(Specs.problem(401)).extract().asString();
        String malformed = Accounts.login("x y\u0000", "pw").then().spec(Specs.problem(401)).extract().asString();
        assertEquals(withoutRequestId(unknown), withoutRequestId(wrong));
        assertEquals(withoutRequestId(unknown), withoutRequestId(off));
        assertEquals(withoutRequestId(unknown), withoutRequestId(malformed));
        assertThat(unknown, not(containsString(a.username())));
    }

    @Test
    void everyLoginIsAuditedWithoutThePassword() {
        Account a = Accounts.create();
        Accounts.login(a.username(), "wrong-" + a.password()).then().statusCode(401);
        Accounts.login(a.username(), a.password()).then().statusCode(200);
        var failure = io.portcullis.common.testing.AuditOutbox.await(e -> "auth_attempt".equals(e.getString("type"))
                && "failure".equals(e.getString("outcome")) && a.username().equals(e.getJsonObject("details").getString("username")));
        assertEquals("bad_password", failure.getJsonObject("details").getString("reason"));
        var success = io.portcullis.common.testing.AuditOutbox.await(e -> "auth_attempt".equals(e.getString("type"))
                && "success".equals(e.getString("outcome")) && a.username().equals(e.getJsonObject("details").getString("username")));
        assertEquals("user:" + a.id(), success.getString("actor"));
        assertEquals("127.0.0.1", failure.getString("sourceIp"));
        assertEquals("127.0.0.1", success.getString("sourceIp"));
        String sid = io.portcullis.common.testing.AuditOutbox.await(e -> "session".equals(e.getString("type"))
                && ("user:" + a.id()).equals(e.getString("actor")) && "created".equals(e.getJsonObject("details").getString("action")))
                .getJsonObject("details").getString("sid");
        assertTrue(sid != null && !sid.isEmpty());
        assertThat(io.portcullis.common.testing.AuditOutbox.events().toString(), not(containsString(a.password())));
    }

    @Test
    void anUnknownUserCostsOneHashLikeAKnownOne() {
        Account a = Accounts.create();
        Accounts.login(Accounts.uniqueName("nobody"), Accounts.strongPassword()).then().statusCode(401); // dummy hash made once
        double before = hashes();
        Accounts.login(Accounts.uniqueName("nobody"), Accounts.strongPassword()).then().statusCode(401);
        double unknown = hashes() - before;
        Accounts.login(a.username(), "wrong-" + a.password()).then().statusCode(401);
        double known = hashes() - before - unknown;
        assertEquals(1.0, unknown, "a login for an unknown user hashes once, so that its timing tells nothing");
        assertEquals(known, unknown);
    }

    private static double hashes() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^portcullis_auth_hash_seconds_count\\{[^}]*algorithm=\"argon2id\"[^}]*\\} ([0-9.E]+)$")
                .matcher(io.portcullis.common.testing.Management.given().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void locksTheAccountAfterTenFailuresWithRetryAfterAndUnlocksLater() {
        Account a = Accounts.create();
        for (int i = 0; i < 10; i++) {
            Accounts.login(a.username(), "wrong-" + i + "-" + a.password()).then().statusCode(401);
        }
        // locked: even the right password gets 429 now, and no password is checked
        Accounts.login(a.username(), a.password()).then().spec(Specs.problem(429))
                .header("Retry-After", matchesPattern("^[1-9][0-9]*$"));
        io.portcullis.common.testing.AuditOutbox.await(e -> "suspicious_activity".equals(e.getString("type"))
                && a.username().equals(e.getJsonObject("details").getString("username")));
        // the lock is short in the test profile (2 s): it ends on its own, never permanent
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> Accounts.login(a.username(), a.password()).statusCode() == 200);
    }

    /** An admin lifts a lock at once: the way out when someone keeps an account locked by guessing. */
    @Test
    void anAdminCanLiftALockAtOnceAndOnlyAnAdmin() {
        Account a = Accounts.create();
        for (int i = 0; i < 10; i++) {
            Accounts.login(a.username(), "wrong-" + i + "-" + a.password()).then().statusCode(401);
        }
        Accounts.login(a.username(), a.password()).then().spec(Specs.problem(429));
        Specs.as(TestTokens.user(a.id(), "user").sign()).post("/auth/users/" + a.id() + "/unlock").then().spec(Specs.problem(403));
        Specs.as(TestTokens.admin().sign()).post("/auth/users/" + a.id() + "/unlock").then().statusCode(204);
        assertEquals(0, io.portcullis.common.testing.AuditOutbox.send(io.vertx.redis.client.Request
                .cmd(io.vertx.redis.client.Command.EXISTS).arg(io.portcullis.auth.repository.LoginThrottle.accountKey(a.username())))
                .toInteger(), "the account's failures and lock are gone");
        Accounts.login(a.username(), a.password()).then().statusCode(200);
        io.portcullis.common.testing.AuditOutbox.await(io.portcullis.common.testing.AuditOutbox
                .typeAndDetail("config_change", "userId", a.id())
                .and(e -> "lockout_cleared".equals(e.getJsonObject("details").getString("action"))));
        Specs.as(TestTokens.admin().sign()).post("/auth/users/" + java.util.UUID.randomUUID() + "/unlock").then()
                .spec(Specs.problem(404));
    }

    /**
     * Forty wrong passwords at once on one account: at most ten are checked (401), the rest are refused
     * before any hash (429), and the account ends locked, so that parallel guessing buys nothing.
     */
    @Test
    void parallelGuessesCannotOvertakeTheLock() throws Exception {
        Account a = Accounts.create();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(40);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return Accounts.login(a.username(), "guess-" + n + "-" + a.password()).statusCode();
                }));
            }
            start.countDown();
            int checked = 0;
            for (var r : results) {
                int status = r.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(status == 401 || status == 429, "status " + status);
                checked += status == 401 ? 1 : 0;
            }
            assertTrue(checked <= 10, checked + " guesses were checked");
            assertTrue(checked >= 1);
            // refused for the places in flight, they are counted as such, not as locked
            assertTrue(io.portcullis.common.testing.Management.given().get("/q/metrics").asString()
                    .matches("(?s).*portcullis_auth_login_total\\{[^}]*outcome=\"busy\"[^}]*\\} [1-9].*"));
        } finally {
            pool.shutdownNow();
        }
        // whatever the interleaving, ten failures end locked or more guesses wait for places: no 401 now
        Accounts.login(a.username(), "one-more-" + a.password()).then().spec(Specs.problem(429));
    }

    /**
     * Clients that send a login and hang up at once: the logins still queued for the two hashing threads
     * when their clients are gone are never hashed (each would hold a core for a hash nobody reads).
     */
    @Test
    void aLoginWhoseClientHungUpIsNotHashedWhileItQueued() throws Exception {
        double abandonedBefore = metric("portcullis_auth_hashing_abandoned_total");
        double hashedBefore = hashes();
        List<java.net.Socket> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            // one account each: an account admits only as many verifications at once as it has failures left
            String body = "{\"username\":\"" + Accounts.uniqueName("gone") + "\",\"password\":\"a-password-nobody-waits-for\"}";
            byte[] request = ("POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.net.Socket s = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            clients.add(s);
        }
        // the requests admitted and queued behind the two hashes running
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> metric("portcullis_auth_hashing_queue") >= 4);
        for (java.net.Socket s : clients) {
            s.setSoLinger(true, 0); // hang up hard
            s.close();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> metric("portcullis_auth_hashing_abandoned_total") > abandonedBefore);
        Thread.sleep(2000); // anything still to hash has been hashed by now
        double hashed = hashes() - hashedBefore;
        assertTrue(hashed < 24, hashed + " of 24 abandoned logins were hashed anyway");
        // the service is none the worse for it
        Account a = Accounts.create();
        Accounts.login(a.username(), a.password()).then().statusCode(200);
    }

    private static double metric(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.E+-]+)$")
                .matcher(io.portcullis.common.testing.Management.given().get("/q/metrics").asString());
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }

    @Test
    void aSuccessResetsTheFailureCount() {
        Account a = Accounts.create();
        for (int i = 0; i < 9; i++) {
            Accounts.login(a.username(), "wrong-" + a.password()).then().statusCode(401);
        }
        Accounts.login(a.username(), a.password()).then().statusCode(200);
        for (int i = 0; i < 9; i++) {
            Accounts.login(a.username(), "wrong-" + a.password()).then().statusCode(401);
        }
        Accounts.login(a.username(), a.password()).then().statusCode(200);
    }

    @Test
    void theBootstrapAdminCanLogInAndAdminister() {
        String jwt = Accounts.login(AuthTestResource.ADMIN, AuthTestResource.adminPassword()).then().statusCode(200)
                .extract().jsonPath().getString("accessToken");
        assertTrue(claims(jwt).getJsonArray("groups").contains("admin"));
        Specs.as(jwt).get("/auth/users").then().statusCode(200).body("username", hasItem(AuthTestResource.ADMIN));
    }

    // ---- sessions ----

    @Test
    void everyLoginGetsANewSessionTokenSoNoneCanBeFixed() {
        Account a = Accounts.create();
        String first = Accounts.session(a)[0];
        String second = Specs.json().header("X-Session-Token", first)
                .body(Map.of("username", a.username(), "password", a.password())).post("/auth/login")
                .then().statusCode(200).extract().jsonPath().getString("sessionToken");
        assertNotEquals(first, second);
    }

    @Test
    void sessionLookupAndRefreshWork() {
        Account a = Accounts.create();
        String[] s = Accounts.session(a);
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().statusCode(200)
                .body("userId", equalTo(a.id())).body("username", equalTo(a.username()))
                .body("expiresAt", matchesPattern("^\\d{4}-.*Z$"));
        String fresh = Specs.json().header("X-Session-Token", s[0]).post("/auth/session/refresh").then().statusCode(200)
                .body("tokenType", equalTo("Bearer")).extract().jsonPath().getString("accessToken");
        assertNotEquals(s[1], fresh);
        assertEquals(claims(s[1]).getString("sid"), claims(fresh).getString("sid"));
        Specs.as(fresh).get("/auth/me").then().statusCode(200);
    }

    @Test
    void unknownOrMalformedSessionTokensAre401() {
        Specs.json().header("X-Session-Token", "A".repeat(43)).get("/auth/session").then().spec(Specs.problem(401));
        Specs.json().header("X-Session-Token", "short").post("/auth/session/refresh").then().spec(Specs.problem(401));
        Specs.json().get("/auth/session").then().spec(Specs.problem(401));
    }

    @Test
    void logoutEndsTheSessionAndItsAccessTokensWithinASecond() {
        Account a = Accounts.create();
        String[] s = Accounts.session(a);
        Specs.as(s[1]).get("/auth/me").then().statusCode(200);
        Specs.json().header("X-Session-Token", s[0]).post("/auth/logout").then().statusCode(204);
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().spec(Specs.problem(401));
        Specs.json().header("X-Session-Token", s[0]).post("/auth/session/refresh").then().spec(Specs.problem(401));
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> Specs.as(s[1]).get("/auth/me").statusCode() == 401);
        Specs.json().header("X-Session-Token", s[0]).post("/auth/logout").then().spec(Specs.problem(401));
        String sid = new JsonObject(new String(Base64.getUrlDecoder().decode(s[1].split("\\.")[1]), StandardCharsets.UTF_8))
                .getString("sid");
        io.portcullis.common.testing.AuditOutbox.await(io.portcullis.common.testing.AuditOutbox.typeAndDetail("session", "sid", sid)
                .and(e -> "logout".equals(e.getJsonObject("details").getString("action"))));
        // the revocation outlives every token of the session: 15 min of life plus the verifiers' 30 s of clock skew
        var until = io.portcullis.common.testing.AuditOutbox.send(io.vertx.redis.client.Request
                .cmd(io.vertx.redis.client.Command.ZSCORE).arg(io.portcullis.common.testing.Revocations.key()).arg(sid));
        long issuedAt = new JsonObject(new String(Base64.getUrlDecoder().decode(s[1].split("\\.")[1]), StandardCharsets.UTF_8))
                .getLong("iat");
        assertTrue(until != null && Double.parseDouble(until.toString()) >= (issuedAt + 900 + 30) * 1000.0, "revoked until " + until);
    }

    @Test
    void logOutEverywhereEndsEverySession() {
        Account a = Accounts.create();
        String[] one = Accounts.session(a);
        String[] two = Accounts.session(a);
        Specs.json().header("X-Session-Token", one[0]).post("/auth/logout-all").then().statusCode(204);
        Specs.json().header("X-Session-Token", two[0]).get("/auth/session").then().statusCode(401);
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> Specs.as(two[1]).get("/auth/me").statusCode() == 401);
    }

    @Test
    void disablingAUserKillsAllItsSessionsAtOnce() {
        Account a = Accounts.create();
        String[] s = Accounts.session(a);
        Specs.as(TestTokens.admin().sign()).post("/auth/users/" + a.id() + "/disable").then().statusCode(200)
                .body("status", equalTo("disabled"));
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().statusCode(401);
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> Specs.as(s[1]).get("/auth/me").statusCode() == 401);
        Accounts.login(a.username(), a.password()).then().statusCode(401);
        Specs.as(TestTokens.admin().sign()).post("/auth/users/" + a.id() + "/enable").then().statusCode(200);
        Accounts.login(a.username(), a.password()).then().statusCode(200);
    }

    // ---- JWT verification (a protected endpoint of this service) ----

    @Test
    void rejectsExpiredToken() {
        // issued within the 15-minute age limit, expired beyond the clock skew: only exp refuses it
        Accounts.Account a = Accounts.create();
        Specs.as(TestTokens.user(a.id(), "user").issuedAt(Instant.now().minusSeconds(300))
                .expiresAt(Instant.now().minusSeconds(180)).sign()).get("/auth/me").then().spec(Specs.problem(401));
        Specs.as(TestTokens.user(a.id(), "user").issuedAt(Instant.now().minusSeconds(300))
                .expiresAt(Instant.now().plusSeconds(180)).sign()).get("/auth/me").then().statusCode(200);
    }

    @Test
    void rejectsTokenFromAnotherIssuer() {
        Specs.as(TestTokens.user("7f0c0f7e-0000-4000-8000-000000000001", "user").issuer("https://evil.example").sign())
                .get("/auth/me").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsTokenSignedWithAnotherKey() {
        Specs.as(TestTokens.user("7f0c0f7e-0000-4000-8000-000000000001", "user").signWithUntrustedKey())
                .get("/auth/me").then().spec(Specs.problem(401));
    }

    @Test
    void rejectsAlgNone() {
        Specs.as(TestTokens.user("7f0c0f7e-0000-4000-8000-000000000001", "admin").unsigned()).get("/auth/users")
                .then().spec(Specs.problem(401));
    }

    @Test
    void rejectsForgedGroups() {
        Account a = Accounts.create();
        String jwt = Accounts.session(a)[1];
        String[] p = jwt.split("\\.");
        JsonObject c = claims(jwt).put("groups", List.of("user", "admin"));
        String forged = p[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(c.encode().getBytes()) + "." + p[2];
        Specs.as(forged).get("/auth/users").then().spec(Specs.problem(401));
    }

    @Test
    void publishesTheSigningKeyAsJwksAndItVerifiesIssuedTokens() throws Exception {
        Account a = Accounts.create();
        String jwt = Accounts.session(a)[1];
        JsonPath jwks = RestAssured.given().get("/auth/.well-known/jwks.json").then().statusCode(200)
                .header("Cache-Control", "public, max-age=300")
                .body("keys[0].kty", equalTo("RSA")).body("keys[0].alg", equalTo("RS256")).body("keys[0].use", equalTo("sig"))
                .body("keys.kid", hasItem(header(jwt).getString("kid")))
                .extract().jsonPath();
        int i = jwks.getList("keys.kid").indexOf(header(jwt).getString("kid"));
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, Base64.getUrlDecoder().decode(jwks.getString("keys[" + i + "].n"))),
                new BigInteger(1, Base64.getUrlDecoder().decode(jwks.getString("keys[" + i + "].e")))));
        String[] p = jwt.split("\\.");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(key);
        rs256.update((p[0] + "." + p[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(p[2])));
    }

    @Test
    void keepsListingThePreviousKeySoThatTokensInFlightSurviveARotation() {
        String activeKid = header(Accounts.session(Accounts.create())[1]).getString("kid");
        JsonPath jwks = RestAssured.given().get("/auth/.well-known/jwks.json").then().statusCode(200)
                .body("keys.size()", equalTo(2))
                .body("keys.n", hasItem(AuthTestResource.previousKeyModulus()))
                .extract().jsonPath();
        int i = jwks.getList("keys.n").indexOf(AuthTestResource.previousKeyModulus());
        assertEquals("RS256", jwks.getString("keys[" + i + "].alg"));
        assertEquals("AQAB", jwks.getString("keys[" + i + "].e"));
        assertNotEquals(activeKid, jwks.getString("keys[" + i + "].kid"));
    }

    // ---- users and passwords ----

    @Test
    void refusesWeakPasswordsWithAReason() {
        String admin = TestTokens.admin().sign();
        String name = Accounts.uniqueName("weak");
        Map<String, String> cases = Map.of(
                "short-1", "at least 12",
                "password1234", "too common",
                "qwertyuiopasdf", "too common",
                "aaaaaaaaaaaaaaaa", "too common",
                name + "-Secret!", "username",
                "x".repeat(129), "at most 128");
        cases.forEach((password, reason) -> Specs.as(admin).body(Map.of("username", name, "password", password))
                .post("/auth/users").then().spec(Specs.problem(400)).body("field", equalTo("password"))
                .body("detail", containsString(reason)).body(not(containsString(password))));
    }

    @Test
    void acceptsLongPassphrasesAndAnyScript() {
        String admin = TestTokens.admin().sign();
        Specs.as(admin).body(Map.of("username", Accounts.uniqueName("long"), "password",
                "correct horse battery staple ".repeat(4).trim())).post("/auth/users").then().statusCode(201);
        Specs.as(admin).body(Map.of("username", Accounts.uniqueName("intl"), "password", "Ünïcødé-пароль-密码-ορθό"))
                .post("/auth/users").then().statusCode(201);
    }

    @Test
    void createdUserHasNoHashInTheResponse() {
        Specs.as(TestTokens.admin().sign()).body(Map.of("username", Accounts.uniqueName("view"), "password", Accounts.strongPassword()))
                .post("/auth/users").then().statusCode(201)
                .header("Location", matchesPattern("^.*/auth/users/[0-9a-f-]{36}$"))
                .body("groups", equalTo(List.of("user"))).body("status", equalTo("active"))
                .body(not(containsString("argon2"))).body(not(containsString("password_hash")));
    }

    @Test
    void refusesDuplicatesBadNamesAndUnknownGroups() {
        Account a = Accounts.create();
        String admin = TestTokens.admin().sign();
        Specs.as(admin).body(Map.of("username", a.username().toUpperCase(), "password", Accounts.strongPassword()))
                .post("/auth/users").then().spec(Specs.problem(409));
        for (String bad : new String[] { "ab", "a b c", "../../etc", "admin;drop", "ａｄｍｉｎ", "x".repeat(65), "-dash" }) {
            Specs.as(admin).body(Map.of("username", bad, "password", Accounts.strongPassword())).post("/auth/users")
                    .then().spec(Specs.problem(400)).body("field", equalTo("username"));
        }
        Specs.as(admin).body(Map.of("username", Accounts.uniqueName("g"), "password", Accounts.strongPassword(),
                "groups", List.of("service"))).post("/auth/users").then().spec(Specs.problem(400)).body("field", equalTo("groups"));
    }

    @Test
    void onlyAdminsAdministerUsers() {
        Account a = Accounts.create();
        String userJwt = Accounts.session(a)[1];
        Specs.as(userJwt).get("/auth/users").then().spec(Specs.problem(403));
        Specs.as(userJwt).body(Map.of("groups", List.of("admin"))).put("/auth/users/" + a.id() + "/groups")
                .then().spec(Specs.problem(403));
        Specs.json().get("/auth/users").then().spec(Specs.problem(401));
    }

    @Test
    void grantingAdminIsAuditedAsPrivilegeEscalation() {
        Account a = Accounts.create();
        Specs.as(TestTokens.admin().sign()).body(Map.of("groups", List.of("user", "admin"))).put("/auth/users/" + a.id() + "/groups")
                .then().statusCode(200).body("groups", hasItems("user", "admin"));
        io.portcullis.common.testing.AuditOutbox.await(io.portcullis.common.testing.AuditOutbox
                .typeAndDetail("privilege_escalation", "userId", a.id()));
    }

    @Test
    void reEnablingAnAdminIsAuditedAsPrivilegeEscalationAndAPlainUserIsNot() {
        Account admin = Accounts.create("user", "admin");
        Account plain = Accounts.create();
        for (Account a : List.of(admin, plain)) {
            Specs.as(TestTokens.admin().sign()).post("/auth/users/" + a.id() + "/disable").then().statusCode(200);
            Specs.as(TestTokens.admin().sign()).post("/auth/users/" + a.id() + "/enable").then().statusCode(200);
        }
        io.portcullis.common.testing.AuditOutbox.await(io.portcullis.common.testing.AuditOutbox
                .typeAndDetail("privilege_escalation", "userId", admin.id())
                .and(e -> "user_enabled".equals(e.getJsonObject("details").getString("action"))));
        io.portcullis.common.testing.AuditOutbox.await(io.portcullis.common.testing.AuditOutbox
                .typeAndDetail("config_change", "userId", plain.id())
                .and(e -> "user_enabled".equals(e.getJsonObject("details").getString("action"))));
        assertTrue(io.portcullis.common.testing.AuditOutbox.events().stream().noneMatch(e -> "privilege_escalation"
                .equals(e.getString("type")) && plain.id().equals(e.getJsonObject("details").getString("userId"))));
    }

    /** A mistyped or made-up field is refused by name, never dropped: {"Groups": ["admin"]} must not make a plain user. */
    @Test
    void unknownJsonFieldsAreRefusedByName() {
        String name = Accounts.uniqueName("strict");
        Specs.as(TestTokens.admin().sign())
                .body(Map.of("username", name, "password", Accounts.strongPassword(), "Groups", List.of("admin")))
                .post("/auth/users").then().spec(Specs.problem(400)).body("field", equalTo("Groups"));
        Specs.as(TestTokens.admin().sign())
                .body(Map.of("username", name, "password", Accounts.strongPassword(), "status", "disabled"))
                .post("/auth/users").then().spec(Specs.problem(400)).body("field", equalTo("status"));
        Specs.json().body(Map.of("username", name, "password", "x", "remember", true)).post("/auth/login")
                .then().spec(Specs.problem(400));
    }

    @Test
    void takingGroupsAwayEndsTheUsersSessions() {
        Account a = Accounts.create("user", "auditor");
        String[] s = Accounts.session(a);
        Specs.as(TestTokens.admin().sign()).body(Map.of("groups", List.of("user"))).put("/auth/users/" + a.id() + "/groups")
                .then().statusCode(200);
        Specs.json().header("X-Session-Token", s[0]).get("/auth/session").then().statusCode(401);
    }

    @Test
    void unknownUserIs404AndBadIdIs400() {
        Specs.as(TestTokens.admin().sign()).get("/auth/users/" + java.util.UUID.randomUUID()).then().spec(Specs.problem(404));
        Specs.as(TestTokens.admin().sign()).get("/auth/users/not-a-uuid").then().spec(Specs.problem(400));
    }

    @Test
    void changingThePasswordNeedsTheOldOneAndEndsOtherSessions() {
        Account a = Accounts.create();
        String[] current = Accounts.session(a);
        String[] other = Accounts.session(a);
        String next = Accounts.strongPassword();
        Specs.as(current[1]).body(Map.of("oldPassword", "wrong-" + a.password(), "newPassword", next)).put("/auth/me/password")
                .then().spec(Specs.problem(403));
        Specs.as(current[1]).body(Map.of("oldPassword", a.password(), "newPassword", "password1234")).put("/auth/me/password")
                .then().spec(Specs.problem(400)).body("field", equalTo("newPassword"));
        Specs.as(current[1]).body(Map.of("oldPassword", a.password(), "newPassword", next)).put("/auth/me/password")
                .then().statusCode(204);
        Specs.json().header("X-Session-Token", other[0]).get("/auth/session").then().statusCode(401);
        Specs.json().header("X-Session-Token", current[0]).get("/auth/session").then().statusCode(200);
        Accounts.login(a.username(), a.password()).then().statusCode(401);
        Accounts.login(a.username(), next).then().statusCode(200);
    }

    @Test
    void wrongCurrentPasswordsAreGuessesAndLockTheAccountLikeFailedLogins() {
        Account a = Accounts.create();
        String token = Accounts.session(a)[1];
        for (int i = 0; i < 10; i++) {
            Specs.as(token).body(Map.of("oldPassword", "wrong-" + i + "-" + a.password(), "newPassword", Accounts.strongPassword()))
                    .put("/auth/me/password").then().spec(Specs.problem(403));
        }
        // locked: the right current password is not even checked now, and login is locked too
        Specs.as(token).body(Map.of("oldPassword", a.password(), "newPassword", Accounts.strongPassword()))
                .put("/auth/me/password").then().spec(Specs.problem(429)).header("Retry-After", matchesPattern("^[1-9][0-9]*$"));
        Accounts.login(a.username(), a.password()).then().spec(Specs.problem(429));
        io.portcullis.common.testing.AuditOutbox.await(e -> "suspicious_activity".equals(e.getString("type"))
                && a.username().equals(e.getJsonObject("details").getString("username")));
        io.portcullis.common.testing.AuditOutbox.await(e -> "auth_attempt".equals(e.getString("type"))
                && "denied".equals(e.getString("outcome")) && "password_change".equals(e.getJsonObject("details").getString("action"))
                && a.username().equals(e.getJsonObject("details").getString("username")));
        // and it ends on its own (2 s in the test profile)
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> Specs.as(token).body(Map.of("oldPassword", a.password(), "newPassword", Accounts.strongPassword()))
                        .put("/auth/me/password").statusCode() == 204);
    }

    @Test
    void aServiceTokenHasNoAccountOfItsOwn() {
        Specs.as(TestTokens.service("gateway").sign()).get("/auth/me").then().spec(Specs.problem(403));
    }

    // ---- client credentials ----

    @Test
    void issuesServiceTokensForClientCredentials() {
        String token = RestAssured.given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "client_credentials").formParam("client_id", AuthTestResource.CLIENT)
                .formParam("client_secret", AuthTestResource.clientSecret())
                .post("/auth/token").then().statusCode(200)
                .body("token_type", equalTo("Bearer")).body("expires_in", lessThanOrEqualTo(900))
                .extract().jsonPath().getString("access_token");
        JsonObject c = claims(token);
        assertEquals("svc:" + AuthTestResource.CLIENT, c.getString("sub"));
        assertEquals(List.of("service"), c.getJsonArray("groups").getList());
        assertTrue(c.getString("sid") == null, "service tokens belong to no session");
    }

    /** Client ids are public: wrong secrets sent for one never cut the real service off its tokens. */
    @Test
    void wrongSecretsForAServiceClientDoNotLockTheServiceOut() {
        for (int i = 0; i < 15; i++) {
            RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "client_credentials")
                    .formParam("client_id", AuthTestResource.CLIENT).formParam("client_secret", "wrong-" + i)
                    .post("/auth/token").then().spec(Specs.problem(401));
        }
        RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "client_credentials")
                .formParam("client_id", AuthTestResource.CLIENT).formParam("client_secret", AuthTestResource.clientSecret())
                .post("/auth/token").then().statusCode(200);
    }

    @Test
    void refusesBadClientCredentialsTheOAuthWay() {
        RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "client_credentials")
                .formParam("client_id", AuthTestResource.CLIENT).formParam("client_secret", "wrong")
                .post("/auth/token").then().spec(Specs.problem(401)).body("error", equalTo("invalid_client"));
        RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "client_credentials")
                .formParam("client_id", "no-such-client").formParam("client_secret", "whatever")
                .post("/auth/token").then().spec(Specs.problem(401)).body("error", equalTo("invalid_client"));
        RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "password")
                .formParam("client_id", AuthTestResource.CLIENT).formParam("client_secret", AuthTestResource.clientSecret())
                .post("/auth/token").then().spec(Specs.problem(400)).body("error", equalTo("unsupported_grant_type"));
        RestAssured.given().contentType("application/x-www-form-urlencoded").formParam("grant_type", "client_credentials")
                .post("/auth/token").then().spec(Specs.problem(400)).body("error", equalTo("invalid_request"));
    }

    @Test
    void malformedLoginBodiesAre400() {
        Specs.json().body("{\"username\": \"x\"}").post("/auth/login").then().spec(Specs.problem(400)).body("field", equalTo("password"));
        Specs.json().body("[1,2]").post("/auth/login").then().spec(Specs.problem(400));
        Specs.json().body("{").post("/auth/login").then().spec(Specs.problem(400));
    }


}
