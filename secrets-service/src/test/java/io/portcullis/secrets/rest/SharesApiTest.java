package io.portcullis.secrets.rest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.secrets.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One-time, expiring shares (Vault's response wrapping): single use, at most an hour, never cached,
 * audited. Runs against the packaged artifact too (SharesApiIT).
 */
@QuarkusTest
public class SharesApiTest {

    static String share(String token, String path, JsonObject body) {
        return Specs.as(token).body(body.encode()).post("/secrets/v1/" + path + "/share").then().statusCode(201)
                .header("Cache-Control", "no-store").body("token", matchesPattern("^pcs_[A-Za-z0-9_-]{43}$"))
                .extract().path("token");
    }

    static io.restassured.response.ValidatableResponse unwrap(String caller, String token) {
        return Specs.as(caller).body(new JsonObject().put("token", token).encode()).post("/secrets/shares/unwrap").then();
    }

    @Test
    void aShareIsConsumedByItsFirstRead() {
        String path = Fixtures.uniquePrefix() + "/shared";
        Fixtures.write(path, "share-me");
        String token = share(Fixtures.admin(), path, new JsonObject());
        // the recipient needs no policy: the token is the grant
        String recipient = Fixtures.user("user");
        unwrap(recipient, token).statusCode(200).header("Cache-Control", "no-store")
                .body("value", equalTo("share-me")).body("path", equalTo(path)).body("version", equalTo(1));
        unwrap(recipient, token).spec(Specs.problem(404));
        unwrap(Fixtures.admin(), token).spec(Specs.problem(404));
    }

    @Test
    void aShareExpiresAfterItsTtl() throws InterruptedException {
        String path = Fixtures.uniquePrefix() + "/short-lived";
        Fixtures.write(path, "v");
        String token = Specs.as(Fixtures.admin()).body(new JsonObject().put("ttlSeconds", 1).encode())
                .post("/secrets/v1/" + path + "/share").then().statusCode(201).extract().path("token");
        String twin = Specs.as(Fixtures.admin()).body(new JsonObject().put("ttlSeconds", 1).encode())
                .post("/secrets/v1/" + path + "/share").then().statusCode(201).extract().path("token");
        unwrap(Fixtures.user("user"), twin).statusCode(200).body("value", equalTo("v")); // alive within its second
        Thread.sleep(1_500);
        unwrap(Fixtures.user("user"), token).spec(Specs.problem(404));
    }

    @Test
    void aShareLivesAtMostOneHour() {
        String path = Fixtures.uniquePrefix() + "/ttl";
        Fixtures.write(path, "v");
        Specs.as(Fixtures.admin()).body(new JsonObject().put("ttlSeconds", 3601).encode()).post("/secrets/v1/" + path + "/share")
                .then().spec(Specs.problem(400)).body("field", equalTo("ttlSeconds"));
        Specs.as(Fixtures.admin()).body(new JsonObject().put("ttlSeconds", 0).encode()).post("/secrets/v1/" + path + "/share")
                .then().spec(Specs.problem(400)).body("field", equalTo("ttlSeconds"));
        String expiresAt = Specs.as(Fixtures.admin()).body(new JsonObject().put("ttlSeconds", 3600).encode())
                .post("/secrets/v1/" + path + "/share").then().statusCode(201).extract().path("expiresAt");
        long hour = Duration.between(Instant.now(), Instant.parse(expiresAt)).getSeconds();
        assertThat(hour + " s", hour > 3500 && hour <= 3600, equalTo(true));
        String byDefault = Specs.as(Fixtures.admin()).body("{}").post("/secrets/v1/" + path + "/share").then().statusCode(201)
                .extract().path("expiresAt");
        long five = Duration.between(Instant.now(), Instant.parse(byDefault)).getSeconds();
        assertThat(five + " s", five > 200 && five <= 300, equalTo(true));
    }

    /**
     * Many redemptions at once, more than the database pool has connections: none waits on another
     * (a redemption never holds a connection while it asks for a second), and of several redeemers
     * racing for one share exactly one gets the value.
     */
    @Test
    void manyRedemptionsAtOnceAllCompleteAndEachShareGoesOnce() throws Exception {
        String path = Fixtures.uniquePrefix() + "/crowd";
        Fixtures.write(path, "crowd-value");
        int shares = 30;
        java.util.List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < shares; i++) {
            tokens.add(share(Fixtures.admin(), path, new JsonObject()));
        }
        String recipient = Fixtures.user("user");
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(2 * shares);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 2 * shares; i++) {
                String token = tokens.get(i % shares); // every share wanted by two redeemers at once
                answers.add(clients.submit(() -> {
                    start.await();
                    return Specs.as(recipient).body(new JsonObject().put("token", token).encode())
                            .post("/secrets/shares/unwrap").statusCode();
                }));
            }
            start.countDown();
            int ok = 0;
            int gone = 0;
            for (var a : answers) {
                int status = a.get(60, java.util.concurrent.TimeUnit.SECONDS);
                ok += status == 200 ? 1 : 0;
                gone += status == 404 ? 1 : 0;
            }
            assertThat("each share read once, its twin refused", ok + "/" + gone, equalTo(shares + "/" + shares));
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void sharesAChosenVersion() {
        String path = Fixtures.uniquePrefix() + "/versioned";
        Fixtures.write(path, "old");
        Fixtures.write(path, "new");
        String token = share(Fixtures.admin(), path, new JsonObject().put("version", 1));
        unwrap(Fixtures.user("user"), token).statusCode(200).body("value", equalTo("old")).body("version", equalTo(1));
    }

    @Test
    void sharingNeedsBothReadAndShare() {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/s", "v");
        String readOnly = Fixtures.user(Fixtures.groupWith(prefix, "read"));
        Specs.as(readOnly).body("{}").post("/secrets/v1/" + prefix + "/s/share").then().spec(Specs.problem(403));
        String shareOnly = Fixtures.user(Fixtures.groupWith(prefix, "share"));
        Specs.as(shareOnly).body("{}").post("/secrets/v1/" + prefix + "/s/share").then().spec(Specs.problem(403));
        String both = Fixtures.user(Fixtures.groupWith(prefix, "read", "share"));
        share(both, prefix + "/s", new JsonObject());
    }

    @Test
    void deletingTheVersionRevokesItsShares() {
        String path = Fixtures.uniquePrefix() + "/revoked";
        Fixtures.write(path, "v");
        String token = share(Fixtures.admin(), path, new JsonObject());
        Specs.as(Fixtures.admin()).delete("/secrets/v1/" + path).then().statusCode(200);
        unwrap(Fixtures.user("user"), token).spec(Specs.problem(404));
        AuditOutbox.await(e -> "secret_access".equals(e.getString("type")) && "failure".equals(e.getString("outcome"))
                && "share_read".equals(e.getJsonObject("details").getString("operation"))
                && path.equals(e.getJsonObject("details").getString("path")));
        Specs.as(Fixtures.admin()).body("{}").post("/secrets/v1/" + path + "/share").then().spec(Specs.problem(404));
    }

    @Test
    void destroyingTheVersionRevokesItsShares() {
        String path = Fixtures.uniquePrefix() + "/destroyed";
        Fixtures.write(path, "v");
        String token = share(Fixtures.admin(), path, new JsonObject());
        Specs.as(Fixtures.admin()).body(new JsonObject().put("versions", new JsonArray().add(1)).encode())
                .post("/secrets/v1/" + path + "/destroy").then().statusCode(200);
        unwrap(Fixtures.user("user"), token).spec(Specs.problem(404));
    }

    @Test
    void refusesMalformedUnknownAndAnonymousRedemptions() {
        unwrap(Fixtures.user("user"), "not-a-token").spec(Specs.problem(400)).body("field", equalTo("token"));
        unwrap(Fixtures.user("user"), "pcs_" + "A".repeat(43)).spec(Specs.problem(404));
        Specs.as(Fixtures.user("user")).body("{}").post("/secrets/shares/unwrap").then().spec(Specs.problem(400))
                .body("field", equalTo("token"));
        Specs.json().body(new JsonObject().put("token", "pcs_" + "A".repeat(43)).encode()).post("/secrets/shares/unwrap")
                .then().spec(Specs.problem(401));
    }

    @Test
    void sharesAreAuditedWithoutTheTokenOrTheValue() {
        String path = Fixtures.uniquePrefix() + "/audited-share";
        String marker = "share-value-" + UUID.randomUUID();
        Fixtures.write(path, marker);
        String token = share(Fixtures.admin(), path, new JsonObject());
        unwrap(Fixtures.user("user"), token).statusCode(200);
        AuditOutbox.await(ev -> "secret_access".equals(ev.getString("type"))
                && path.equals(ev.getJsonObject("details").getString("path"))
                && "share".equals(ev.getJsonObject("details").getString("operation")));
        JsonObject read = AuditOutbox.await(ev -> "secret_access".equals(ev.getString("type"))
                && path.equals(ev.getJsonObject("details").getString("path"))
                && "share_read".equals(ev.getJsonObject("details").getString("operation")));
        assertThat(read.getJsonObject("details").getString("sharedBy"), containsString("user:"));
        String all = new JsonArray(AuditOutbox.events()).encode();
        assertThat(all, not(containsString(marker)));
        assertThat(all, not(containsString(token.substring(4))));
    }
}
