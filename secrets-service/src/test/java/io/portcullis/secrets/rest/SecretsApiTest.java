package io.portcullis.secrets.rest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Specs;
import io.portcullis.secrets.Fixtures;
import io.portcullis.secrets.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * KV v2 from the outside: versions, check-and-set, soft delete, undelete, destroy, metadata and
 * listing without values, limits and hostile input. Runs against the packaged artifact too
 * (SecretsApiIT). Access control has its own class (AccessControlTest).
 */
@QuarkusTest
public class SecretsApiTest {

    static String admin() {
        return Fixtures.admin();
    }

    static JsonObject value(String v) {
        return new JsonObject().put("value", v);
    }

    static int put(String path, JsonObject body) {
        return Specs.as(admin()).body(body.encode()).put("/secrets/v1/" + path).then().statusCode(200)
                .extract().path("version");
    }

    @Test
    void writesAndReadsTheCurrentVersionNeverCached() {
        String path = Fixtures.uniquePrefix() + "/db/password";
        Specs.as(admin()).body(value("s3cr3t-value").encode()).put("/secrets/v1/" + path).then().statusCode(200)
                .body("path", equalTo(path)).body("version", equalTo(1)).body("createdAt", notNullValue())
                .body(not(containsString("s3cr3t-value")));
        Specs.as(admin()).get("/secrets/v1/" + path).then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("path", equalTo(path)).body("version", equalTo(1)).body("value", equalTo("s3cr3t-value"))
                .body("createdAt", notNullValue());
    }

    @Test
    void everyWriteIsANewVersionAndOldOnesStayReadable() {
        String path = Fixtures.uniquePrefix() + "/api-key";
        assertEquals(1, put(path, value("one")));
        assertEquals(2, put(path, value("two")));
        assertEquals(3, put(path, value("three")));
        Specs.as(admin()).get("/secrets/v1/" + path).then().body("value", equalTo("three")).body("version", equalTo(3));
        Specs.as(admin()).queryParam("version", 1).get("/secrets/v1/" + path).then().statusCode(200)
                .header("Cache-Control", "no-store").body("value", equalTo("one")).body("version", equalTo(1));
    }

    @Test
    void keepsUnicodeValuesExactly() {
        String path = Fixtures.uniquePrefix() + "/unicode";
        String v = "pässwörd-密码-🔑-\u0000-\"quoted\"\n";
        put(path, value(v));
        Specs.as(admin()).get("/secrets/v1/" + path).then().body("value", equalTo(v));
    }

    @Test
    void keepsTenVersionsByDefaultAndRemovesTheOldest() {
        String path = Fixtures.uniquePrefix() + "/rotating";
        for (int i = 1; i <= 12; i++) {
            put(path, value("v" + i));
        }
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().statusCode(200)
                .body("currentVersion", equalTo(12)).body("oldestVersion", equalTo(3)).body("maxVersions", equalTo(10))
                .body("versions", hasSize(10));
        Specs.as(admin()).queryParam("version", 2).get("/secrets/v1/" + path).then().spec(Specs.problem(404));
        Specs.as(admin()).queryParam("version", 3).get("/secrets/v1/" + path).then().body("value", equalTo("v3"));
    }

    @Test
    void maxVersionsPerPathAppliesFromTheNextWrite() {
        String path = Fixtures.uniquePrefix() + "/short-history";
        Specs.as(admin()).body(new JsonObject().put("maxVersions", 2).encode()).put("/secrets/v1/" + path + "/metadata")
                .then().statusCode(200).body("maxVersions", equalTo(2)).body("currentVersion", equalTo(0));
        for (int i = 1; i <= 4; i++) {
            put(path, value("v" + i));
        }
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then()
                .body("versions.version", contains(3, 4)).body("oldestVersion", equalTo(3));
    }

    @Test
    void aLowerMaxVersionsRemovesTheOldestVersionsAtOnceAndWritesKeepTheWindow() {
        String path = Fixtures.uniquePrefix() + "/shrinking-history";
        for (int i = 1; i <= 5; i++) {
            put(path, value("v" + i));
        }
        Specs.as(admin()).body(new JsonObject().put("maxVersions", 2).encode()).put("/secrets/v1/" + path + "/metadata")
                .then().statusCode(200).body("maxVersions", equalTo(2)).body("currentVersion", equalTo(5));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then()
                .body("versions.version", contains(4, 5)).body("oldestVersion", equalTo(4));
        Specs.as(admin()).queryParam("version", 3).get("/secrets/v1/" + path).then().spec(Specs.problem(404));
        put(path, value("v6"));
        put(path, value("v7"));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then()
                .body("versions.version", contains(6, 7)).body("oldestVersion", equalTo(6));
        // a higher limit keeps what is left and lets the history grow again
        Specs.as(admin()).body(new JsonObject().put("maxVersions", 3).encode()).put("/secrets/v1/" + path + "/metadata")
                .then().statusCode(200);
        put(path, value("v8"));
        put(path, value("v9"));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().body("versions.version", contains(7, 8, 9));
    }

    @Test
    void casZeroWritesOnlyAPathThatHasNoVersionYet() {
        String path = Fixtures.uniquePrefix() + "/create-once";
        assertEquals(1, put(path, value("first").put("cas", 0)));
        Specs.as(admin()).body(value("second").put("cas", 0).encode()).put("/secrets/v1/" + path)
                .then().spec(Specs.problem(409)).body("detail", containsString("current version 1"));
    }

    @Test
    void casMismatchIs409AndWritesNothing() {
        String path = Fixtures.uniquePrefix() + "/cas";
        put(path, value("v1"));
        put(path, value("v2"));
        Specs.as(admin()).body(value("stale").put("cas", 1).encode()).put("/secrets/v1/" + path)
                .then().spec(Specs.problem(409)).body(not(containsString("stale")));
        Specs.as(admin()).get("/secrets/v1/" + path).then().body("version", equalTo(2)).body("value", equalTo("v2"));
        assertEquals(3, put(path, value("v3").put("cas", 2)));
        io.portcullis.common.testing.AuditOutbox.await(io.portcullis.common.testing.AuditOutbox.typeAndDetail("secret_access", "path", path)
                .and(e -> "conflict".equals(e.getJsonObject("details").getString("reason"))
                        && "write".equals(e.getJsonObject("details").getString("operation"))
                        && "failure".equals(e.getString("outcome"))));
    }

    @Test
    void readsOfNothingAreAuditedAsFailures() {
        String path = Fixtures.uniquePrefix() + "/absent";
        Specs.as(admin()).get("/secrets/v1/" + path).then().spec(Specs.problem(404));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().spec(Specs.problem(404));
        for (String operation : new String[] { "read", "metadata" }) {
            io.portcullis.common.testing.AuditOutbox.await(io.portcullis.common.testing.AuditOutbox.typeAndDetail("secret_access", "path", path)
                    .and(e -> "not_found".equals(e.getJsonObject("details").getString("reason"))
                            && operation.equals(e.getJsonObject("details").getString("operation"))));
        }
    }

    @Test
    void aPathThatRequiresCasRefusesBlindWrites() {
        String path = Fixtures.uniquePrefix() + "/careful";
        Specs.as(admin()).body(new JsonObject().put("casRequired", true).encode()).put("/secrets/v1/" + path + "/metadata")
                .then().statusCode(200).body("casRequired", equalTo(true));
        Specs.as(admin()).body(value("blind").encode()).put("/secrets/v1/" + path).then().spec(Specs.problem(400))
                .body("field", equalTo("cas"));
        assertEquals(1, put(path, value("careful").put("cas", 0)));
    }

    @Test
    void acceptsA64KiBValueAndRefusesOneByteMoreWith413() {
        String path = Fixtures.uniquePrefix() + "/big";
        String max = "x".repeat(65536);
        put(path, value(max));
        Specs.as(admin()).get("/secrets/v1/" + path).then().statusCode(200).body("value", equalTo(max));
        Specs.as(admin()).body(value(max + "y").encode()).put("/secrets/v1/" + path).then().spec(Specs.problem(413))
                .body("field", equalTo("value"));
        // the limit is in bytes of UTF-8, not characters: 21,846 three-byte characters are 65,538 bytes
        Specs.as(admin()).body(value("€".repeat(21846)).encode()).put("/secrets/v1/" + path).then().spec(Specs.problem(413));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().body("currentVersion", equalTo(1));
    }

    @Test
    void refusesABodyOverTheRequestLimitBeforeReadingIt() {
        String path = Fixtures.uniquePrefix() + "/huge";
        Specs.as(admin()).body(value("x".repeat(600_000)).encode()).put("/secrets/v1/" + path).then().spec(Specs.problem(413));
    }

    @Test
    void refusesTextThatIsNotValidUnicode() {
        String path = Fixtures.uniquePrefix() + "/surrogate";
        Specs.as(admin()).body("{\"value\":\"half a pair \\ud800\"}").put("/secrets/v1/" + path).then()
                .spec(Specs.problem(400)).body("field", equalTo("value"));
    }

    @Test
    void refusesAMissingValueAndUnknownFields() {
        String path = Fixtures.uniquePrefix() + "/fields";
        Specs.as(admin()).body("{}").put("/secrets/v1/" + path).then().spec(Specs.problem(400)).body("field", equalTo("value"));
        Specs.as(admin()).body("{\"value\":\"v\",\"cass\":3}").put("/secrets/v1/" + path).then().spec(Specs.problem(400))
                .body("field", equalTo("cass"));
        Specs.as(admin()).body("{\"value\":\"v\",\"cas\":-1}").put("/secrets/v1/" + path).then().spec(Specs.problem(400))
                .body("field", equalTo("cas"));
        Specs.as(admin()).body("not json").put("/secrets/v1/" + path).then().spec(Specs.problem(400));
        Specs.as(admin()).get("/secrets/v1/" + path).then().spec(Specs.problem(404));
    }

    @Test
    void refusesHostilePathsWith400() {
        String token = admin();
        String p = Fixtures.uniquePrefix();
        for (String raw : new String[] { "/secrets/v1/" + p + "/../x", "/secrets/v1/" + p + "/%2e%2e/x",
                "/secrets/v1/" + p + "/%2E%2E%2Fx", "/secrets/v1/" + p + "//x", "/secrets/v1/" + p + "/./x",
                "/secrets/v1/" + p + "/a%00b", "/secrets/v1/" + p + "/a;b=c", "/secrets/v1/" + p + "/%C3%A4",
                "/secrets/v1/" + p + "/..", "/secrets/policies/../v1/" + p }) {
            RawHttp.Reply r = RawHttp.get(raw, token);
            assertEquals(400, r.status(), raw);
            assertTrue(r.head().toLowerCase().contains("content-type: application/problem+json"), raw);
            assertThat(raw, new JsonObject(r.body()).getString("field"), equalTo("path"));
        }
        // a backslash is not even a valid request line: the HTTP layer refuses it before any routing
        assertEquals(400, RawHttp.get("/secrets/v1/" + p + "/a\\b", token).status());
        Specs.as(token).get("/secrets/v1/" + p + "/" + "a".repeat(600)).then().spec(Specs.problem(400))
                .body("field", equalTo("path"));
        Specs.as(token).get("/secrets/v1/metadata").then().spec(Specs.problem(400)).body("field", equalTo("path"));
        Specs.as(token).body(value("v").encode()).put("/secrets/v1/" + p + "/x/share").then()
                .statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(405)));
    }

    @Test
    void softDeleteHidesAVersionAndUndeleteBringsItBack() {
        String path = Fixtures.uniquePrefix() + "/undo";
        put(path, value("v1"));
        put(path, value("v2"));
        Specs.as(admin()).queryParam("versions", "2").delete("/secrets/v1/" + path).then().statusCode(200)
                .body("versions", contains(2));
        Specs.as(admin()).get("/secrets/v1/" + path).then().spec(Specs.problem(404)).body("detail", containsString("deleted"));
        Specs.as(admin()).queryParam("version", 1).get("/secrets/v1/" + path).then().body("value", equalTo("v1"));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().body("versions[1].state", equalTo("deleted"))
                .body("versions[1].deletedAt", notNullValue());
        Specs.as(admin()).body(new JsonObject().put("versions", new JsonArray().add(2)).encode())
                .post("/secrets/v1/" + path + "/undelete").then().statusCode(200).body("versions", contains(2));
        Specs.as(admin()).get("/secrets/v1/" + path).then().statusCode(200).body("value", equalTo("v2"));
    }

    @Test
    void deleteWithoutVersionsDeletesTheCurrentOne() {
        String path = Fixtures.uniquePrefix() + "/latest";
        put(path, value("v1"));
        put(path, value("v2"));
        Specs.as(admin()).delete("/secrets/v1/" + path).then().statusCode(200).body("versions", contains(2));
        Specs.as(admin()).queryParam("version", 2).get("/secrets/v1/" + path).then().spec(Specs.problem(404));
        Specs.as(admin()).queryParam("version", 1).get("/secrets/v1/" + path).then().statusCode(200);
    }

    @Test
    void destroyErasesAVersionForGood() {
        String path = Fixtures.uniquePrefix() + "/gone";
        put(path, value("v1"));
        put(path, value("v2"));
        Specs.as(admin()).body(new JsonObject().put("versions", new JsonArray().add(1)).encode())
                .post("/secrets/v1/" + path + "/destroy").then().statusCode(200).body("versions", contains(1));
        Specs.as(admin()).queryParam("version", 1).get("/secrets/v1/" + path).then().spec(Specs.problem(404))
                .body("detail", containsString("destroyed"));
        Specs.as(admin()).body(new JsonObject().put("versions", new JsonArray().add(1)).encode())
                .post("/secrets/v1/" + path + "/undelete").then().spec(Specs.problem(409));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().body("versions[0].state", equalTo("destroyed"))
                .body("versions[1].state", equalTo("active"));
        Specs.as(admin()).get("/secrets/v1/" + path).then().body("value", equalTo("v2"));
    }

    @Test
    void deletingUnknownVersionsIs404AndChangesNothing() {
        String path = Fixtures.uniquePrefix() + "/partial";
        put(path, value("v1"));
        Specs.as(admin()).queryParam("versions", "1,7").delete("/secrets/v1/" + path).then().spec(Specs.problem(404))
                .body("detail", containsString("7"));
        Specs.as(admin()).get("/secrets/v1/" + path).then().statusCode(200);
        Specs.as(admin()).queryParam("versions", "1,x").delete("/secrets/v1/" + path).then().spec(Specs.problem(400))
                .body("field", equalTo("versions"));
        Specs.as(admin()).body("{\"versions\":[]}").post("/secrets/v1/" + path + "/destroy").then().spec(Specs.problem(400))
                .body("field", equalTo("versions"));
    }

    @Test
    void deletingTheMetadataRemovesThePathAndEveryVersion() {
        String path = Fixtures.uniquePrefix() + "/whole";
        put(path, value("v1"));
        put(path, value("v2"));
        Specs.as(admin()).delete("/secrets/v1/" + path + "/metadata").then().statusCode(204);
        Specs.as(admin()).get("/secrets/v1/" + path).then().spec(Specs.problem(404));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().spec(Specs.problem(404));
        assertEquals(1, put(path, value("fresh start")));
    }

    @Test
    void metadataShowsVersionsAndTheirStateButNoValue() {
        String path = Fixtures.uniquePrefix() + "/meta";
        put(path, value("value-one-xyz"));
        put(path, value("value-two-xyz"));
        String body = Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().statusCode(200)
                .body("path", equalTo(path)).body("currentVersion", equalTo(2)).body("maxVersions", equalTo(10))
                .body("casRequired", equalTo(false)).body("versions.version", contains(1, 2))
                .body("versions.state", contains("active", "active")).body("versions[0].createdBy", notNullValue())
                .body("versions[0].destroyedAt", nullValue()).extract().asString();
        assertThat(body, not(containsString("value-")));
    }

    @Test
    void listsPathsUnderAPrefixWithoutValuesPageByPage() {
        String prefix = Fixtures.uniquePrefix();
        for (String p : new String[] { "app/b", "app/a", "app/c/deep", "apple/x", "other/y" }) {
            put(prefix + "/" + p, value("listed-value"));
        }
        String body = Specs.as(admin()).queryParam("prefix", prefix + "/app").get("/secrets/v1").then().statusCode(200)
                .body("prefix", equalTo(prefix + "/app"))
                .body("secrets.path", contains(prefix + "/app/a", prefix + "/app/b", prefix + "/app/c/deep"))
                .body("secrets[0].currentVersion", equalTo(1)).body("next", nullValue()).extract().asString();
        assertThat(body, not(containsString("listed-value")));
        String next = Specs.as(admin()).queryParam("prefix", prefix).queryParam("limit", 2).get("/secrets/v1").then()
                .body("secrets.path", contains(prefix + "/app/a", prefix + "/app/b")).extract().path("next");
        Specs.as(admin()).queryParam("prefix", prefix).queryParam("limit", 2).queryParam("after", next).get("/secrets/v1")
                .then().body("secrets.path", contains(prefix + "/app/c/deep", prefix + "/apple/x"));
        Specs.as(admin()).queryParam("prefix", prefix + "/../x").get("/secrets/v1").then().spec(Specs.problem(400))
                .body("field", equalTo("prefix"));
        Specs.as(admin()).queryParam("limit", 5000).get("/secrets/v1").then().spec(Specs.problem(400))
                .body("field", equalTo("limit"));
    }

    @Test
    void unknownPathsAndVersionsAre404AndBadVersionsAre400() {
        String path = Fixtures.uniquePrefix() + "/nothing-here";
        Specs.as(admin()).get("/secrets/v1/" + path).then().spec(Specs.problem(404));
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().spec(Specs.problem(404));
        put(path, value("v1"));
        Specs.as(admin()).queryParam("version", 9).get("/secrets/v1/" + path).then().spec(Specs.problem(404));
        Specs.as(admin()).queryParam("version", "abc").get("/secrets/v1/" + path).then().spec(Specs.problem(400))
                .body("field", equalTo("version"));
        Specs.as(admin()).queryParam("version", 0).get("/secrets/v1/" + path).then().spec(Specs.problem(400))
                .body("field", equalTo("version"));
    }

    @Test
    void countsOperationsByTypeAndOutcomeWithoutPathsOrValues() {
        String path = Fixtures.uniquePrefix() + "/counted";
        String ops = "portcullis_secrets_operations_total";
        double reads = io.portcullis.common.testing.Management.metric(ops, "operation", "read", "outcome", "success");
        double writes = io.portcullis.common.testing.Management.metric(ops, "operation", "write", "outcome", "success");
        double denied = io.portcullis.common.testing.Management.metric(ops, "operation", "read", "outcome", "denied");
        put(path, value("metric-value"));
        Specs.as(admin()).get("/secrets/v1/" + path).then().statusCode(200);
        Specs.as(Fixtures.user("user")).get("/secrets/v1/" + path).then().statusCode(403);
        assertThat(io.portcullis.common.testing.Management.metric(ops, "operation", "read", "outcome", "success"), equalTo(reads + 1));
        assertThat(io.portcullis.common.testing.Management.metric(ops, "operation", "write", "outcome", "success"), equalTo(writes + 1));
        assertThat(io.portcullis.common.testing.Management.metric(ops, "operation", "read", "outcome", "denied"), equalTo(denied + 1));
        String metrics = io.portcullis.common.testing.Management.given().get("/q/metrics").then().statusCode(200)
                .extract().asString();
        assertThat(metrics, not(containsString(path)));
        assertThat(metrics, not(containsString("metric-value")));
    }

    @Test
    void concurrentWritersOfOnePathGetDistinctVersions() throws Exception {
        String path = Fixtures.uniquePrefix() + "/contended";
        String token = admin();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                futures.add(pool.submit(() -> Specs.as(token).body(value("w" + n).encode()).put("/secrets/v1/" + path)
                        .then().statusCode(200).extract().<Integer>path("version")));
            }
            java.util.Set<Integer> versions = new java.util.TreeSet<>();
            for (var f : futures) {
                versions.add(f.get());
            }
            assertEquals(40, versions.size());
            assertEquals(1, versions.iterator().next());
        } finally {
            pool.shutdownNow();
        }
        Specs.as(admin()).get("/secrets/v1/" + path + "/metadata").then().body("currentVersion", equalTo(40));
    }
}
