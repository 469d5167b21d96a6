package io.portcullis.audit.rest;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.portcullis.audit.Events;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The ingest and query API from the outside; runs against the packaged artifact too (IngestApiIT). */
@QuarkusTest
public class IngestApiTest {

    static String service() {
        return TestTokens.service("test-producer").sign();
    }

    static String auditor() {
        return TestTokens.user("auditor-1", "auditor").sign();
    }

    /** A service speaks for itself only: another service's name in an event is refused, nothing chained. */
    @Test
    void aServiceCannotRecordEventsAsAnotherService() {
        JsonObject forged = Events.event().put("service", "auth-service");
        Specs.as(service()).body(new io.vertx.core.json.JsonArray().add(Events.event()).add(forged).encode()).post("/audit/events")
                .then().spec(Specs.problem(403));
        Specs.as(auditor()).queryParam("actor", forged.getString("actor")).get("/audit/events").then().statusCode(200)
                .body("events", hasSize(0));
    }

    /** A time PostgreSQL cannot store is a 400 of its own, never a failure of the shared append. */
    @Test
    void anInstantBefore1970IsRefused() {
        Specs.as(service()).body(Events.event().put("occurredAt", "-5000-01-01T00:00:00Z").encode()).post("/audit/events")
                .then().spec(Specs.problem(400)).body("field", equalTo("occurredAt"));
    }

    @Test
    void storesAnEventAndChainsIt() {
        JsonObject e = Events.event();
        Specs.as(service()).body(e.encode()).post("/audit/events").then().statusCode(202)
                .body("accepted", equalTo(1)).body("duplicates", equalTo(0));
        Specs.as(auditor()).queryParam("actor", e.getString("actor")).get("/audit/events").then().statusCode(200)
                .body("events", hasSize(1))
                .body("events[0].id", equalTo(e.getString("id")))
                .body("events[0].seq", greaterThan(0))
                .body("events[0].hash", matchesPattern("^[0-9a-f]{64}$"))
                .body("events[0].prevHash", matchesPattern("^[0-9a-f]{64}$"))
                .body("events[0].details.username", equalTo("alice"))
                .body("events[0].receivedAt", matchesPattern("^\\d{4}-.*Z$"));
    }

    @Test
    void isIdempotentOnTheProducersId() {
        JsonObject e = Events.event();
        Specs.as(service()).body(e.encode()).post("/audit/events").then().statusCode(202).body("accepted", equalTo(1));
        Specs.as(service()).body(new JsonArray().add(e).add(e).encode()).post("/audit/events").then().statusCode(202)
                .body("accepted", equalTo(0)).body("duplicates", equalTo(2));
        Specs.as(auditor()).queryParam("actor", e.getString("actor")).get("/audit/events").then().body("events", hasSize(1));
    }

    @Test
    void acceptsABatch() {
        JsonArray batch = new JsonArray();
        for (int i = 0; i < 250; i++) {
            batch.add(Events.event());
        }
        Specs.as(service()).body(batch.encode()).post("/audit/events").then().statusCode(202).body("accepted", equalTo(250));
    }

    @Test
    void refusesABatchOverOneThousand() {
        JsonArray batch = new JsonArray();
        for (int i = 0; i < 1001; i++) {
            batch.add(Events.event());
        }
        Specs.as(service()).body(batch.encode()).post("/audit/events").then().spec(Specs.problem(413));
    }

    @Test
    void refusesUnknownTypeNamingTheField() {
        Specs.as(service()).body(Events.event().put("type", "coffee_break").encode()).post("/audit/events")
                .then().spec(Specs.problem(400)).body("field", equalTo("type"));
    }

    @Test
    void refusesTheWholeBatchAtTheFirstBadEventNamingIt() {
        JsonArray batch = new JsonArray().add(Events.event()).add(Events.event()).add(Events.event())
                .add(Events.event().put("outcome", "maybe")).add(Events.event());
        String actor = batch.getJsonObject(0).getString("actor");
        Specs.as(service()).body(batch.encode()).post("/audit/events").then().spec(Specs.problem(400))
                .body("field", equalTo("events[3].outcome"));
        Specs.as(auditor()).queryParam("actor", actor).get("/audit/events").then().body("events", hasSize(0));
    }

    @Test
    void refusesNestedDetailsAndForgedActors() {
        Specs.as(service()).body(Events.event().put("details", new JsonObject().put("x", new JsonObject().put("y", 1))).encode())
                .post("/audit/events").then().spec(Specs.problem(400)).body("field", equalTo("details.x"));
        Specs.as(service()).body(Events.event().put("actor", "user:alice\nadmin").encode())
                .post("/audit/events").then().spec(Specs.problem(400)).body("field", equalTo("actor"));
    }

    @Test
    void redactsSecretsAndNeutralisesLineBreaksServerSide() {
        JsonObject e = Events.event("auth_attempt", "failure", Map.of(
                "password", "hunter2-in-clear",
                "api_key", "pcx_abcdef_SECRETSECRETSECRET",
                "note", "card 4111 1111 1111 1111 then\r\nFAKE: admin login ok",
                "header", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij"));
        Specs.as(service()).body(e.encode()).post("/audit/events").then().statusCode(202);
        String body = Specs.as(auditor()).queryParam("actor", e.getString("actor")).get("/audit/events").then().statusCode(200)
                .body("events[0].details.password", equalTo("[REDACTED]"))
                .body("events[0].details.api_key", equalTo("[REDACTED]"))
                .extract().asString();
        org.hamcrest.MatcherAssert.assertThat(body, not(containsString("hunter2")));
        org.hamcrest.MatcherAssert.assertThat(body, not(containsString("SECRETSECRET")));
        org.hamcrest.MatcherAssert.assertThat(body, not(containsString("4111 1111")));
        org.hamcrest.MatcherAssert.assertThat(body, not(containsString("eyJzdWIi")));
        org.hamcrest.MatcherAssert.assertThat(body, not(containsString("\\r\\nFAKE")));
    }

    @Test
    void onlyServicesMayIngest() {
        Specs.json().body(Events.event().encode()).post("/audit/events").then().spec(Specs.problem(401));
        Specs.as(TestTokens.user("u1", "user").sign()).body(Events.event().encode()).post("/audit/events")
                .then().spec(Specs.problem(403));
        Specs.as(auditor()).body(Events.event().encode()).post("/audit/events").then().spec(Specs.problem(403));
        Specs.as(TestTokens.service("x").signWithUntrustedKey()).body(Events.event().encode()).post("/audit/events")
                .then().spec(Specs.problem(401));
    }

    @Test
    void onlyAuditorsMayRead() {
        Specs.json().get("/audit/events").then().spec(Specs.problem(401));
        Specs.as(service()).get("/audit/events").then().spec(Specs.problem(403));
        Specs.as(TestTokens.admin().sign()).get("/audit/verify").then().spec(Specs.problem(403));
        Specs.as(TestTokens.user("u1", "user").sign()).accept("application/x-ndjson").get("/audit/export").then().statusCode(403);
    }

    @Test
    void eachCallersRefusalIsItsOwnEventWhileAFloodIsCounted() {
        String flooder = "flood-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String other = "other-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 5; i++) {
            Specs.as(TestTokens.user(flooder, "user").sign()).get("/audit/verify").then().spec(Specs.problem(403));
        }
        // same address, same path, same second, another caller: not swallowed by the flood's throttle
        Specs.as(TestTokens.user(other, "user").sign()).get("/audit/verify").then().spec(Specs.problem(403));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> Specs.as(auditor())
                .queryParam("actor", "user:" + other).queryParam("type", "authz_failure").get("/audit/events")
                .jsonPath().getList("events").size() == 1);
        int flooderEvents = Specs.as(auditor()).queryParam("actor", "user:" + flooder).queryParam("type", "authz_failure")
                .get("/audit/events").then().statusCode(200).extract().jsonPath().getList("events").size();
        org.hamcrest.MatcherAssert.assertThat(flooderEvents, org.hamcrest.Matchers.allOf(
                org.hamcrest.Matchers.greaterThan(0), org.hamcrest.Matchers.lessThan(5)));
    }

    @Test
    void refusedAccessIsItselfAudited() {
        String marker = "probe-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Specs.as(TestTokens.user(marker, "user").sign()).get("/audit/verify").then().spec(Specs.problem(403));
        // the refusal is recorded after the response: wait for it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> Specs.as(auditor())
                .queryParam("actor", "user:" + marker).get("/audit/events").jsonPath().getList("events").size() > 0);
        Specs.as(auditor()).queryParam("actor", "user:" + marker).queryParam("type", "authz_failure").get("/audit/events")
                .then().statusCode(200).body("events", hasSize(1))
                .body("events[0].details.reason", equalTo("forbidden"))
                .body("events[0].details.path", equalTo("/audit/verify"))
                .body("events[0].service", equalTo("audit-service"));
    }

    @Test
    void pagesInSeqOrder() {
        JsonArray batch = new JsonArray();
        String actor = "user:pager-" + java.util.UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            batch.add(Events.event().put("actor", actor).put("details", new JsonObject().put("n", i)));
        }
        Specs.as(service()).body(batch.encode()).post("/audit/events").then().statusCode(202);
        var first = Specs.as(auditor()).queryParam("actor", actor).queryParam("limit", 3).get("/audit/events").then()
                .statusCode(200).body("events", hasSize(3)).body("events.details.n", org.hamcrest.Matchers.contains("0", "1", "2"))
                .extract().jsonPath();
        long next = first.getLong("nextAfterSeq");
        Specs.as(auditor()).queryParam("actor", actor).queryParam("afterSeq", next).get("/audit/events").then()
                .body("events.details.n", org.hamcrest.Matchers.contains("3", "4"));
    }

    @Test
    void refusesBadQueryParameters() {
        Specs.as(auditor()).queryParam("limit", 5000).get("/audit/events").then().spec(Specs.problem(400)).body("field", equalTo("limit"));
        Specs.as(auditor()).queryParam("from", "yesterday").get("/audit/events").then().spec(Specs.problem(400)).body("field", equalTo("from"));
        Specs.as(auditor()).queryParam("type", "x' OR 1=1 --").get("/audit/events").then().spec(Specs.problem(400));
    }
}
