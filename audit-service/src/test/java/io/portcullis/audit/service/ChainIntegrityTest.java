package io.portcullis.audit.service;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.portcullis.audit.Db;
import io.portcullis.audit.Events;
import io.portcullis.common.testing.DbLogins;
import io.portcullis.common.testing.Specs;
import io.portcullis.common.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;

/**
 * The chain against a superuser who bypasses the triggers: any edit, deletion or swap is found,
 * and the first broken seq named. Each tampering is undone before the test ends, so tests stay
 * independent of each other.
 */
@QuarkusTest
class ChainIntegrityTest {

    static String service() {
        return TestTokens.service("test-producer").sign();
    }

    static String auditor() {
        return TestTokens.user("auditor-1", "auditor").sign();
    }

    /** Appends n events and returns their seqs. */
    static List<Long> append(int n) {
        JsonArray batch = new JsonArray();
        String actor = "user:integrity-" + java.util.UUID.randomUUID();
        for (int i = 0; i < n; i++) {
            batch.add(Events.event().put("actor", actor));
        }
        Specs.as(service()).body(batch.encode()).post("/audit/events").then().statusCode(202);
        return Specs.as(auditor()).queryParam("actor", actor).get("/audit/events").jsonPath().getList("events.seq", Long.class);
    }

    static void assertBrokenAt(long seq) {
        Specs.as(auditor()).get("/audit/verify").then().statusCode(200)
                .body("valid", equalTo(false))
                .body("firstBrokenSeq", equalTo((int) seq));
    }

    static void assertValid() {
        Specs.as(auditor()).get("/audit/verify").then().statusCode(200)
                .body("valid", equalTo(true))
                .body("firstBrokenSeq", nullValue());
    }

    /** Runs SQL as a superuser with triggers off (session_replication_role = replica). */
    static void tamper(String... sql) throws SQLException {
        try (Connection c = Db.superuser(); Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    @Test
    void anUntouchedChainVerifiesAndGetsSignedCheckpoints() {
        append(3);
        assertValid();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                Specs.as(auditor()).get("/audit/checkpoints").jsonPath().getList("checkpoints").size() > 0);
        Specs.as(auditor()).get("/audit/checkpoints").then().statusCode(200)
                .body("algorithm", equalTo("Ed25519"))
                .body("publicKey", org.hamcrest.Matchers.startsWith("-----BEGIN PUBLIC KEY-----"))
                .body("checkpoints[0].seq", greaterThan(0));
        Specs.as(auditor()).get("/audit/verify").then().body("valid", equalTo(true))
                .body("checkpointsChecked", greaterThanOrEqualTo(1));
    }

    @Test
    void theDatabaseRefusesUpdateDeleteAndTruncateEvenForASuperuser() throws SQLException {
        long seq = append(1).get(0);
        try (Connection c = Db.superuser(); Statement st = c.createStatement()) {
            SQLException update = assertThrows(SQLException.class,
                    () -> st.execute("UPDATE audit_event SET actor = 'user:mallory' WHERE seq = " + seq));
            assertTrue(update.getMessage().contains("append-only"));
            assertThrows(SQLException.class, () -> st.execute("DELETE FROM audit_event WHERE seq = " + seq));
            assertThrows(SQLException.class, () -> st.execute("TRUNCATE audit_event"));
        }
        assertValid();
    }

    @Test
    void theServicesRoleHasNoRightToChangeRowsEvenWithTriggersOff() throws SQLException {
        long seq = append(1).get(0);
        try (Connection c = Db.superuser(); Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            st.execute("SET ROLE portcullis_audit_writer");
            SQLException e = assertThrows(SQLException.class,
                    () -> st.execute("UPDATE audit_event SET actor = 'user:mallory' WHERE seq = " + seq));
            assertEquals("42501", e.getSQLState(), "permission denied");
            assertThrows(SQLException.class, () -> st.execute("DELETE FROM audit_event WHERE seq = " + seq));
        }
    }

    @jakarta.inject.Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @Test
    void theServiceItselfWorksAsTheAppendOnlyRole() {
        String role = pool.query("SELECT current_user").execute().await().atMost(Duration.ofSeconds(5))
                .iterator().next().getString(0);
        assertEquals("portcullis_audit_writer", role);
    }

    @jakarta.inject.Inject
    io.portcullis.common.db.LoginCheck loginCheck;

    /**
     * What SQL injected into the service, or anyone holding its database login, could do: step out of
     * the append-only role. The login owns nothing, so that leaves it with the same rights.
     */
    @Test
    void theServicesLoginCannotStepOutOfTheAppendOnlyRole() throws SQLException {
        long seq = append(1).get(0);
        DbLogins.outsideRole("portcullis_audit_writer", List.of(
                "UPDATE audit_event SET actor = 'user:mallory' WHERE seq = " + seq,
                "DELETE FROM audit_event WHERE seq = " + seq,
                "ALTER TABLE audit_event DISABLE TRIGGER USER",
                "SET session_replication_role = replica",
                "SET ROLE " + DbLogins.ownerOf("audit_event")))
                .forEach((tamper, outcome) -> assertTrue(outcome.startsWith("42501 "), tamper + ": " + outcome));
        assertValid();
        assertFalse(loginCheck.check().toCompletionStage().toCompletableFuture().join(), "the service's login cannot rewrite the log");
        assertEquals(0.0, io.portcullis.common.testing.Management.metric("portcullis_database_login_owns_tables"));
        // and the check tells the owner apart: it would warn if the service ran as it
        try (Connection c = Db.superuser();
                PreparedStatement ps = c.prepareStatement(io.portcullis.common.db.LoginCheck.QUERY.replace("$1", "?"))) {
            ps.setString(1, "audit_event");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertTrue(rs.getBoolean(1), "the owner can rewrite the log");
            }
        }
    }

    @Test
    void anEditedRowIsFoundAtItsSeq() throws SQLException {
        List<Long> seqs = append(5);
        long victim = seqs.get(2);
        String original;
        try (Connection c = Db.superuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT outcome FROM audit_event WHERE seq = " + victim)) {
            rs.next();
            original = rs.getString(1);
        }
        tamper("UPDATE audit_event SET outcome = 'failure' WHERE seq = " + victim);
        try {
            assertBrokenAt(victim);
        } finally {
            tamper("UPDATE audit_event SET outcome = '" + original + "' WHERE seq = " + victim);
        }
        assertValid();
    }

    @Test
    void aDeletedRowIsFoundAtItsSeq() throws SQLException {
        List<Long> seqs = append(5);
        long victim = seqs.get(1);
        tamper("CREATE TEMP TABLE IF NOT EXISTS x (LIKE audit_event)",
                "CREATE TABLE IF NOT EXISTS tamper_backup (LIKE audit_event)",
                "DELETE FROM tamper_backup",
                "INSERT INTO tamper_backup SELECT * FROM audit_event WHERE seq = " + victim,
                "DELETE FROM audit_event WHERE seq = " + victim);
        try {
            assertBrokenAt(victim);
        } finally {
            tamper("INSERT INTO audit_event SELECT * FROM tamper_backup", "DROP TABLE tamper_backup");
        }
        assertValid();
    }

    /**
     * The writer role may move the head (every append does): moved back, it would hide the events after
     * it from a verification that reads only up to the head, unless the rows beyond it are noticed.
     */
    @Test
    void aHeadMovedBackIsFoundAtTheFirstEventBeyondIt() throws SQLException {
        append(3);
        long head;
        try (Connection c = Db.superuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT seq FROM audit_chain_head WHERE id = 1")) {
            rs.next();
            head = rs.getLong(1);
        }
        tamper("UPDATE audit_chain_head SET seq = " + (head - 1) + ", hash = (SELECT hash FROM audit_event WHERE seq = "
                + (head - 1) + ") WHERE id = 1");
        try {
            Specs.as(auditor()).get("/audit/verify").then().statusCode(200)
                    .body("valid", equalTo(false))
                    .body("firstBrokenSeq", equalTo((int) head))
                    .body("reason", org.hamcrest.Matchers.containsString("beyond the head"));
        } finally {
            tamper("UPDATE audit_chain_head h SET seq = e.seq, hash = e.hash FROM "
                    + "(SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1) e WHERE h.id = 1");
        }
        assertValid();
    }

    @Test
    void swappedRowsAreFoundAtTheFirstOfThem() throws SQLException {
        List<Long> seqs = append(4);
        long a = seqs.get(1);
        long b = seqs.get(2);
        String swap = "UPDATE audit_event SET seq = CASE seq WHEN " + a + " THEN -1 ELSE seq END WHERE seq = " + a + ";"
                + "UPDATE audit_event SET seq = " + a + " WHERE seq = " + b + ";"
                + "UPDATE audit_event SET seq = " + b + " WHERE seq = -1";
        tamper(swap);
        try {
            assertBrokenAt(a);
        } finally {
            tamper(swap);
        }
        assertValid();
    }

    @Test
    void aRecomputedChainIsCaughtByTheSignedCheckpoint() throws SQLException {
        append(2);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                Specs.as(auditor()).get("/audit/verify").jsonPath().getInt("checkpointsChecked") > 0);
        long cp = Specs.as(auditor()).get("/audit/checkpoints").jsonPath().getLong("checkpoints[-1].seq");
        // a forger rewrites the event at the checkpoint AND fixes its hash so that the links still hold
        byte[] originalHash;
        String originalActor;
        try (Connection c = Db.superuser(); PreparedStatement ps = c.prepareStatement(
                "SELECT hash, actor FROM audit_event WHERE seq = ?")) {
            ps.setLong(1, cp);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                originalHash = rs.getBytes(1);
                originalActor = rs.getString(2);
            }
        }
        tamper("UPDATE audit_event SET actor = 'user:mallory' WHERE seq = " + cp);
        String newHash = recomputedHash(cp);
        tamper("UPDATE audit_event SET hash = decode('" + newHash + "', 'hex') WHERE seq = " + cp,
                "UPDATE audit_chain_head SET hash = decode('" + newHash + "', 'hex') WHERE seq = " + cp);
        try {
            // every link and hash holds up to cp: only the signature tells
            assertBrokenAt(cp);
            Specs.as(auditor()).get("/audit/verify").then().body("reason", org.hamcrest.Matchers.containsString("checkpoint"));
        } finally {
            tamper("UPDATE audit_event SET actor = '" + originalActor + "', hash = decode('"
                    + java.util.HexFormat.of().formatHex(originalHash) + "', 'hex') WHERE seq = " + cp,
                    "UPDATE audit_chain_head SET hash = decode('" + java.util.HexFormat.of().formatHex(originalHash)
                            + "', 'hex') WHERE seq = " + cp);
        }
        assertValid();
    }

    /** The hash the row at {@code seq} would need for its current content to look untouched. */
    static String recomputedHash(long seq) throws SQLException {
        try (Connection c = Db.superuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT seq, id, type, outcome, actor, source_ip, service, request_id, "
                        + "occurred_at, received_at, details::text, prev_hash FROM audit_event WHERE seq = " + seq)) {
            rs.next();
            var details = new java.util.LinkedHashMap<String, String>();
            new io.vertx.core.json.JsonObject(rs.getString(11)).forEach(e -> details.put(e.getKey(), String.valueOf(e.getValue())));
            var event = new io.portcullis.common.audit.AuditEvent(java.util.UUID.fromString(rs.getString(2)), rs.getString(3),
                    rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                    rs.getObject(9, java.time.OffsetDateTime.class).toInstant(), details);
            var ce = io.portcullis.audit.domain.ChainedEvent.append(seq, event,
                    rs.getObject(10, java.time.OffsetDateTime.class).toInstant(), rs.getBytes(12));
            return java.util.HexFormat.of().formatHex(ce.hash());
        }
    }

    @Test
    void twentyConcurrentProducersBuildOneUnbrokenChain() throws Exception {
        long before = Specs.as(auditor()).get("/audit/verify").jsonPath().getLong("headSeq");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<Integer>> results = new ArrayList<>();
        Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int p = 0; p < 20; p++) {
            results.add(pool.submit(() -> {
                int accepted = 0;
                for (int b = 0; b < 10; b++) {
                    JsonArray batch = new JsonArray();
                    for (int i = 0; i < 50; i++) {
                        var e = Events.event();
                        ids.add(e.getString("id"));
                        batch.add(e);
                    }
                    accepted += Specs.as(service()).body(batch.encode()).post("/audit/events").then().statusCode(202)
                            .extract().jsonPath().getInt("accepted");
                }
                return accepted;
            }));
        }
        int total = 0;
        for (Future<Integer> f : results) {
            total += f.get();
        }
        pool.shutdown();
        assertEquals(10_000, total);
        assertEquals(10_000, ids.size());
        var verdict = Specs.as(auditor()).get("/audit/verify").then().statusCode(200).body("valid", equalTo(true))
                .extract().jsonPath();
        assertTrue(verdict.getLong("headSeq") >= before + 10_000);
        try (Connection c = Db.superuser(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id), min(seq), max(seq) FROM audit_event")) {
            rs.next();
            assertEquals(rs.getLong(1), rs.getLong(2), "no duplicate id");
            assertEquals(1, rs.getLong(3), "starts at 1");
            assertEquals(rs.getLong(1), rs.getLong(4), "no gap: max seq = count");
        }
    }
}
