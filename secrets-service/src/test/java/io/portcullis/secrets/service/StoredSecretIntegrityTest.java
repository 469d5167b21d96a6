package io.portcullis.secrets.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.DbLogins;
import io.portcullis.common.testing.Management;
import io.portcullis.common.testing.Specs;
import io.portcullis.secrets.Db;
import io.portcullis.secrets.Fixtures;
import io.portcullis.secrets.TestKeks;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import io.vertx.core.json.JsonObject;

/**
 * What is stored, attacked from the database side: any change to a row fails closed with a clear
 * problem and a {@code suspicious_activity} event, never with wrong plaintext; a dump of the whole
 * database shows no value; nonces never repeat. Each test removes what it tampered with.
 */
@QuarkusTest
class StoredSecretIntegrityTest {

    @Inject
    Pool pool;

    /** What the service's own connections may not do, whatever a bug or an injection asks of them. */
    @Test
    void theServiceWorksAsARoleThatCannotTouchTheSchema() {
        assertEquals("portcullis_secrets_app", pool.query("SELECT current_user").execute()
                .await().atMost(java.time.Duration.ofSeconds(5)).iterator().next().getString(0));
        for (String forbidden : List.of(
                "ALTER TABLE secret_version DISABLE TRIGGER secret_version_kek_guard",
                "DROP TRIGGER secret_policy_generation ON secret_policy",
                "TRUNCATE secret_share",
                "SELECT count(*) FROM flyway_schema_history",
                "CREATE TABLE stolen (v bytea)")) {
            PgException refused = org.junit.jupiter.api.Assertions.assertThrows(PgException.class,
                    () -> pool.query(forbidden).execute().await().atMost(java.time.Duration.ofSeconds(5)), forbidden);
            assertEquals("42501", refused.getSqlState(), forbidden + ": " + refused.getMessage());
        }
    }

    @Inject
    io.portcullis.common.db.LoginCheck loginCheck;

    /**
     * The same for SQL injected into the service, or anyone holding its database login, that first
     * steps out of the role: the login owns nothing, so that leaves it with the same rights.
     */
    @Test
    void theServicesLoginCannotStepOutOfItsRole() throws Exception {
        DbLogins.outsideRole("portcullis_secrets_app", List.of(
                "ALTER TABLE secret_version DISABLE TRIGGER secret_version_kek_guard",
                "DROP TRIGGER secret_policy_generation ON secret_policy",
                "TRUNCATE secret_share",
                "SET session_replication_role = replica",
                "SET ROLE " + DbLogins.ownerOf("secret_version")))
                .forEach((forbidden, outcome) -> assertTrue(outcome.startsWith("42501 "), forbidden + ": " + outcome));
        assertFalse(loginCheck.check().toCompletionStage().toCompletableFuture().join(), "the service's login owns nothing");
        assertEquals(0.0, Management.metric("portcullis_database_login_owns_tables"));
    }

    /** Flips one bit of a version's ciphertext; run twice, puts it back. */
    static final String FLIP_CIPHERTEXT = "UPDATE secret_version SET ciphertext = set_byte(ciphertext, 3, get_byte(ciphertext, 3) # 1) WHERE path = ?";

    static void sql(String statement, Object... args) throws SQLException {
        try (Connection c = Db.connect(); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    /** Like {@link #sql} but with triggers off, as a superuser who bypasses the service could. */
    static void sqlAsIntruder(String statement, Object... args) throws SQLException {
        try (Connection c = Db.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
            }
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                ps.executeUpdate();
            }
        }
    }

    static void assertIntegrityFailure(String path, Integer version, String mustNotShow) {
        var spec = Specs.as(Fixtures.admin());
        if (version != null) {
            spec = spec.queryParam("version", version);
        }
        String body = spec.get("/secrets/v1/" + path).then().spec(Specs.problem(500))
                .body("type", equalTo("urn:portcullis:problem:integrity-failure"))
                .body("title", equalTo("Integrity check failed"))
                .extract().asString();
        assertThat(body, not(containsString(mustNotShow)));
        JsonObject e = AuditOutbox.await(AuditOutbox.typeAndDetail("suspicious_activity", "path", path));
        assertThat(e.getJsonObject("details").getString("reason"), equalTo("integrity_check_failed"));
        assertThat(e.getJsonObject("details").getString("operation"), equalTo("read"));
        assertThat(new io.vertx.core.json.JsonArray(AuditOutbox.events()).encode(), not(containsString(mustNotShow)));
    }

    static void remove(String path) {
        Specs.as(Fixtures.admin()).delete("/secrets/v1/" + path + "/metadata");
    }

    static String share(String path) {
        return Specs.as(Fixtures.admin()).body("{}").post("/secrets/v1/" + path + "/share").then().statusCode(201)
                .extract().path("token");
    }

    static io.restassured.response.ValidatableResponse unwrap(String token) {
        return Specs.as(Fixtures.admin()).body(new JsonObject().put("token", token).encode()).post("/secrets/shares/unwrap").then();
    }

    @Test
    void aShareIsNotSpentByARedemptionThatReturnedNoValue() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/shared-flip";
        Fixtures.write(path, "integrity-value-share");
        try {
            String token = share(path);
            sql(FLIP_CIPHERTEXT, path);
            unwrap(token).spec(Specs.problem(500)).body("type", equalTo("urn:portcullis:problem:integrity-failure"))
                    .body(not(containsString("integrity-value")));
            sql(FLIP_CIPHERTEXT, path); // the row as it was
            unwrap(token).statusCode(200).body("value", equalTo("integrity-value-share"));
            unwrap(token).spec(Specs.problem(404)); // and now it is spent
        } finally {
            remove(path);
        }
    }

    /**
     * A KEK made active on another instance before this one was given it: its versions are answered
     * 503 here (retry, elsewhere), not reported as tampering, and a share of one is not spent.
     */
    @Test
    void aVersionUnderAKekThisInstanceDoesNotHoldIs503NotTampering() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/kek-elsewhere";
        Fixtures.write(path, "integrity-value-kek");
        try {
            String token = share(path);
            String kek;
            try (Connection c = Db.connect(); PreparedStatement ps = c.prepareStatement("SELECT kek_id FROM secret_version WHERE path = ?")) {
                ps.setString(1, path);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    kek = rs.getString(1);
                }
            }
            double unknownKek = Management.metric("portcullis_secrets_decrypt_failures_total", "reason", "unknown_kek");
            sqlAsIntruder("UPDATE secret_version SET kek_id = 'kek-held-elsewhere' WHERE path = ?", path);
            String body = Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().spec(Specs.problem(503))
                    .extract().asString();
            assertThat(body, not(containsString("integrity-value")));
            unwrap(token).spec(Specs.problem(503));
            JsonObject e = AuditOutbox.await(AuditOutbox.typeAndDetail("secret_access", "path", path)
                    .and(ev -> "kek_unavailable".equals(ev.getJsonObject("details").getString("reason"))));
            assertEquals("failure", e.getString("outcome"));
            assertTrue(AuditOutbox.events().stream().noneMatch(ev -> "suspicious_activity".equals(ev.getString("type"))
                    && path.equals(ev.getJsonObject("details").getString("path"))), "not reported as tampering");
            assertTrue(Management.metric("portcullis_secrets_decrypt_failures_total", "reason", "unknown_kek") >= unknownKek + 2,
                    "the read and the redemption are both counted");
            sqlAsIntruder("UPDATE secret_version SET kek_id = ? WHERE path = ?", kek, path);
            unwrap(token).statusCode(200).body("value", equalTo("integrity-value-kek"));
        } finally {
            remove(path);
        }
    }

    @Test
    void aFlippedCiphertextByteIsAnIntegrityFailureNeverWrongPlaintext() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/flip";
        Fixtures.write(path, "integrity-value-1");
        try {
            double mismatches = Management.metric("portcullis_secrets_decrypt_failures_total", "reason", "tag_mismatch");
            sql(FLIP_CIPHERTEXT, path);
            assertIntegrityFailure(path, null, "integrity-value");
            assertEquals(mismatches + 1, Management.metric("portcullis_secrets_decrypt_failures_total", "reason", "tag_mismatch"));
            String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics, not(containsString(path)));
        } finally {
            remove(path);
        }
    }

    @Test
    void aFlippedByteOfTheWrappedDataKeyOrOfANonceFailsTheSameWay() throws SQLException {
        for (String column : new String[] { "wrapped_dek", "dek_nonce", "nonce" }) {
            String path = Fixtures.uniquePrefix() + "/" + column.replace('_', '-');
            Fixtures.write(path, "integrity-value-2");
            try {
                sql("UPDATE secret_version SET " + column + " = set_byte(" + column + ", 0, get_byte(" + column
                        + ", 0) # 128) WHERE path = ?", path);
                assertIntegrityFailure(path, null, "integrity-value");
            } finally {
                remove(path);
            }
        }
    }

    @Test
    void aRowMovedToAnotherPathFails() throws SQLException {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/alpha", "alpha-plaintext");
        Fixtures.write(prefix + "/beta", "beta-plaintext");
        try {
            sql("DELETE FROM secret_version WHERE path = ?", prefix + "/beta");
            sql("UPDATE secret_version SET path = ? WHERE path = ?", prefix + "/beta", prefix + "/alpha");
            assertIntegrityFailure(prefix + "/beta", null, "alpha-plaintext");
        } finally {
            remove(prefix + "/alpha");
            remove(prefix + "/beta");
        }
    }

    @Test
    void aRowCopiedOverAnotherPathsRowFails() throws SQLException {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.write(prefix + "/alpha", "alpha-plaintext");
        Fixtures.write(prefix + "/beta", "beta-plaintext");
        try {
            sql("UPDATE secret_version b SET kek_id = a.kek_id, dek_nonce = a.dek_nonce, wrapped_dek = a.wrapped_dek, "
                    + "nonce = a.nonce, ciphertext = a.ciphertext FROM secret_version a WHERE a.path = ? AND b.path = ?",
                    prefix + "/alpha", prefix + "/beta");
            assertIntegrityFailure(prefix + "/beta", null, "alpha-plaintext");
            Specs.as(Fixtures.admin()).get("/secrets/v1/" + prefix + "/alpha").then().body("value", equalTo("alpha-plaintext"));
        } finally {
            remove(prefix + "/alpha");
            remove(prefix + "/beta");
        }
    }

    @Test
    void anOldVersionReplayedAsTheCurrentOneFails() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/replay";
        Fixtures.write(path, "old-password");
        Fixtures.write(path, "new-password");
        try {
            sql("UPDATE secret_version n SET dek_nonce = o.dek_nonce, wrapped_dek = o.wrapped_dek, nonce = o.nonce, "
                    + "ciphertext = o.ciphertext FROM secret_version o WHERE o.path = ? AND o.version = 1 "
                    + "AND n.path = o.path AND n.version = 2", path);
            assertIntegrityFailure(path, 2, "old-password");
        } finally {
            remove(path);
        }
    }

    @Test
    void aDataKeyRelabelledWithAnotherKekFails() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/relabel";
        Fixtures.write(path, "relabel-plaintext");
        String active = activeKekId(path);
        String other = TestKeks.NAMES.stream().map(TestKeks::id).filter(id -> !id.equals(active)).findFirst().orElseThrow();
        try {
            sqlAsIntruder("UPDATE secret_version SET kek_id = ? WHERE path = ?", other, path);
            assertIntegrityFailure(path, null, "relabel-plaintext");
        } finally {
            remove(path);
        }
    }

    static String activeKekId(String path) throws SQLException {
        try (Connection c = Db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT kek_id FROM secret_version WHERE path = ?")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void destroyingAVersionLeavesNeitherCiphertextNorDataKey() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/shredded";
        Fixtures.write(path, "to-be-destroyed");
        Specs.as(Fixtures.admin()).body("{\"versions\":[1]}").post("/secrets/v1/" + path + "/destroy").then().statusCode(200);
        try (Connection c = Db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT kek_id, dek_nonce, wrapped_dek, nonce, ciphertext, destroyed_at FROM secret_version WHERE path = ?")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                for (int i = 1; i <= 5; i++) {
                    assertEquals(null, rs.getObject(i), "column " + i);
                }
                assertTrue(rs.getTimestamp(6) != null);
            }
        }
    }

    @Test
    void aDumpOfTheDatabaseHoldsNoPlaintextValue() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        String marker = "plaintext-marker-" + UUID.randomUUID();
        Fixtures.write(prefix + "/dumped", marker);
        Fixtures.write(prefix + "/dumped", marker + "-v2");
        Fixtures.write(prefix + "/unicode", "ünïcödé-" + marker);
        Specs.as(Fixtures.admin()).body("{}").post("/secrets/v1/" + prefix + "/dumped/share").then().statusCode(201);
        String dump = pgDump();
        assertThat("the dump covers the secrets table", dump, containsString(prefix + "/dumped"));
        byte[] plain = marker.getBytes(StandardCharsets.UTF_8);
        assertThat(dump, not(containsString(marker)));
        assertThat(dump, not(containsString(HexFormat.of().formatHex(plain))));
        assertThat(dump, not(containsString(Base64.getEncoder().encodeToString(plain).substring(0, 20))));
        assertThat(dump, not(containsString("ünïcödé")));
    }

    @Test
    void noValueReachesTheLogsWhateverHappensToIt() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        String marker = "logmarker" + UUID.randomUUID().toString().replace("-", "");
        Fixtures.write(prefix + "/logged", marker + "-v1");
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + prefix + "/logged").then().statusCode(200);
        String token = Specs.as(Fixtures.admin()).body("{}").post("/secrets/v1/" + prefix + "/logged/share").then().statusCode(201)
                .extract().path("token");
        Specs.as(Fixtures.admin()).body(new JsonObject().put("token", token).encode()).post("/secrets/shares/unwrap").then()
                .statusCode(200);
        // a body that is not JSON, with the value as a bare token (Jackson quotes such tokens in its messages)
        Specs.as(Fixtures.admin()).body("{\"value\": " + marker + "}").put("/secrets/v1/" + prefix + "/logged").then()
                .spec(Specs.problem(400));
        // a value too large, and a tampered ciphertext read back
        Specs.as(Fixtures.admin()).body("{\"value\": \"" + marker + "x".repeat(70 * 1024) + "\"}").put("/secrets/v1/" + prefix + "/logged")
                .then().statusCode(413);
        Fixtures.write(prefix + "/tampered", marker + "-tampered");
        sql("UPDATE secret_version SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE path = ?",
                prefix + "/tampered");
        assertIntegrityFailure(prefix + "/tampered", null, marker);
        Path log = Path.of("target/secrets-test.log");
        Assumptions.assumeTrue(Files.exists(log), "the test profile writes target/secrets-test.log");
        String logs = Files.readString(log);
        assertThat("the log file is real", logs, containsString("Installed features"));
        assertThat(logs, not(containsString(marker)));
        remove(prefix + "/tampered");
    }

    static String pgDump() throws Exception {
        return io.portcullis.common.testing.PgDump.database();
    }

    @Test
    void noncesNeverRepeatAcrossTenThousandWrites() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        int writes = 10_000;
        String token = Fixtures.admin();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>(writes);
        String base = "http://localhost:" + RestAssured.port + "/secrets/v1/" + prefix + "/";
        for (int i = 0; i < writes; i++) {
            inFlight.acquire();
            // 100 paths of 100 versions each, kept in full: every nonce stays in the table to be compared
            String path = "p" + (i % 100);
            if (i < 100) {
                Specs.as(token).body("{\"maxVersions\":100}").put("/secrets/v1/" + prefix + "/" + path + "/metadata")
                        .then().statusCode(200);
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"same value " + (i % 3) + "\"}")).build();
            all.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
        }
        for (var f : all) {
            assertEquals(200, f.get(60, TimeUnit.SECONDS).statusCode());
        }
        try (Connection c = Db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*), count(DISTINCT nonce), count(DISTINCT dek_nonce), count(DISTINCT wrapped_dek), "
                        + "count(DISTINCT ciphertext) FROM secret_version WHERE path LIKE ?")) {
            ps.setString(1, prefix + "/%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(writes, rs.getLong(1), "rows");
                assertEquals(writes, rs.getLong(2), "distinct value nonces");
                assertEquals(writes, rs.getLong(3), "distinct data-key nonces");
                assertEquals(writes, rs.getLong(4), "distinct wrapped data keys");
                assertEquals(writes, rs.getLong(5), "distinct ciphertexts of three distinct values");
            }
        }
        try (Connection c = Db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM (SELECT n FROM (SELECT nonce AS n FROM secret_version WHERE nonce IS NOT NULL "
                        + "UNION ALL SELECT dek_nonce FROM secret_version WHERE dek_nonce IS NOT NULL) a GROUP BY n "
                        + "HAVING count(*) > 1) d")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "no nonce appears twice anywhere in the table");
        }
    }
}
