package io.portcullis.secrets.service;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.Specs;
import io.portcullis.secrets.Db;
import io.portcullis.secrets.Fixtures;
import io.portcullis.secrets.TestKeks;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * KEK rotation as an admin runs it: activate a new key, rewrap every data key under it without
 * touching a value's ciphertext, retire the old one. Each test activates the keys it needs first, so
 * none depends on what another left active.
 */
@QuarkusTest
class KeyRotationTest {

    static void activate(String name) {
        Specs.as(Fixtures.admin()).post("/secrets/keys/" + TestKeks.id(name) + "/activate").then().statusCode(200)
                .body("id", equalTo(TestKeks.id(name))).body("state", equalTo("active"));
    }

    /** id -> [kek_id, ciphertext, nonce, wrapped_dek] of every version under {@code prefix}. */
    static Map<Long, Object[]> rows(String prefix) throws SQLException {
        Map<Long, Object[]> out = new HashMap<>();
        try (Connection c = Db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, kek_id, ciphertext, nonce, wrapped_dek FROM secret_version WHERE path LIKE ?")) {
            ps.setString(1, prefix + "/%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new Object[] { rs.getString(2), rs.getBytes(3), rs.getBytes(4), rs.getBytes(5) });
                }
            }
        }
        return out;
    }

    static long dataKeysUnder(String kekId) throws SQLException {
        try (Connection c = Db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM secret_version WHERE kek_id = ?")) {
            ps.setString(1, kekId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void rewrapLeavesEverySecretReadableAndNoDataKeyUnderTheOldKek() throws SQLException {
        activate("a");
        String prefix = Fixtures.uniquePrefix();
        for (int i = 0; i < 25; i++) {
            Fixtures.write(prefix + "/s" + i, "value-" + i + "-v1");
            Fixtures.write(prefix + "/s" + i, "value-" + i + "-v2");
        }
        Specs.as(Fixtures.admin()).queryParam("versions", "2").delete("/secrets/v1/" + prefix + "/s0").then().statusCode(200);
        Map<Long, Object[]> before = rows(prefix);
        assertEquals(50, before.size());
        before.values().forEach(r -> assertEquals(TestKeks.id("a"), r[0]));

        activate("b");
        int mark = AuditOutbox.mark();
        Specs.as(Fixtures.admin()).post("/secrets/keys/rewrap").then().statusCode(200)
                .body("activeKeyId", equalTo(TestKeks.id("b")))
                .body("rewrapped", greaterThanOrEqualTo(50))
                .body("failed", equalTo(0))
                .body("remaining", equalTo(0));

        assertEquals(0, dataKeysUnder(TestKeks.id("a")), "no data key is left under the old KEK");
        Map<Long, Object[]> after = rows(prefix);
        assertEquals(before.keySet(), after.keySet());
        for (var e : after.entrySet()) {
            Object[] old = before.get(e.getKey());
            Object[] now = e.getValue();
            assertEquals(TestKeks.id("b"), now[0]);
            assertTrue(Arrays.equals((byte[]) old[1], (byte[]) now[1]), "the value's ciphertext is untouched");
            assertTrue(Arrays.equals((byte[]) old[2], (byte[]) now[2]), "the value's nonce is untouched");
            assertFalse(Arrays.equals((byte[]) old[3], (byte[]) now[3]), "the data key is wrapped anew");
        }
        for (int i = 0; i < 25; i++) {
            Specs.as(Fixtures.admin()).queryParam("version", 1).get("/secrets/v1/" + prefix + "/s" + i).then().statusCode(200)
                    .body("value", equalTo("value-" + i + "-v1"));
        }
        Specs.as(Fixtures.admin()).body("{\"versions\":[2]}").post("/secrets/v1/" + prefix + "/s0/undelete").then().statusCode(200);
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + prefix + "/s0").then().body("value", equalTo("value-0-v2"));
        Specs.as(Fixtures.admin()).get("/secrets/keys").then().statusCode(200)
                .body("find { it.id == '" + TestKeks.id("a") + "' }.dataKeys", equalTo(0))
                .body("find { it.id == '" + TestKeks.id("a") + "' }.state", equalTo("available"));
        AuditOutbox.awaitAfter(mark, AuditOutbox.typeAndDetail("config_change", "action", "kek_rewrap"));
    }

    @Test
    void newDataKeysAreWrappedUnderTheActiveKek() throws SQLException {
        activate("primary");
        String path = Fixtures.uniquePrefix() + "/after-activation";
        Fixtures.write(path, "v1");
        assertEquals(TestKeks.id("primary"), StoredSecretIntegrityTest.activeKekId(path));
        int mark = AuditOutbox.mark();
        activate("b");
        Fixtures.write(path, "v2");
        Map<Long, Object[]> rows = rows(path.substring(0, path.indexOf('/')));
        assertThat(rows.values().stream().map(r -> (String) r[0]).toList(), hasItems(TestKeks.id("primary"), TestKeks.id("b")));
        AuditOutbox.awaitAfter(mark, AuditOutbox.typeAndDetail("config_change", "keyId", TestKeks.id("b")));
    }

    @Test
    void theDatabaseRefusesADataKeyUnderAKekThatIsNotActive() throws SQLException {
        activate("b");
        String path = Fixtures.uniquePrefix() + "/guarded";
        Fixtures.write(path, "v");
        SQLException e = assertThrows(SQLException.class, () -> StoredSecretIntegrityTest.sql(
                "UPDATE secret_version SET kek_id = ? WHERE path = ?", TestKeks.id("primary"), path));
        assertEquals("PS001", e.getSQLState());
        assertEquals(TestKeks.id("b"), StoredSecretIntegrityTest.activeKekId(path));
    }

    @Test
    void aWriteThatMeetsAnActivationInFlightIsRetriedUnderTheNewKek() throws SQLException {
        activate("primary");
        String path = Fixtures.uniquePrefix() + "/raced";
        Fixtures.write(path, "v1");
        // switch the active KEK behind the service's back, without the generation bump (triggers off):
        // its cached snapshot still names the old KEK, as it would for a write racing an activation
        StoredSecretIntegrityTest.sqlAsIntruder("UPDATE secret_kek SET state = 'available' WHERE state = 'active'");
        StoredSecretIntegrityTest.sqlAsIntruder("UPDATE secret_kek SET state = 'active' WHERE id = ?", TestKeks.id("b"));
        Fixtures.write(path, "v2");
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().statusCode(200).body("value", equalTo("v2"));
        Map<Long, Object[]> rows = rows(path.substring(0, path.indexOf('/')));
        assertThat(rows.values().stream().map(r -> (String) r[0]).toList(), hasItems(TestKeks.id("primary"), TestKeks.id("b")));
        activate("primary"); // bumps the generation again: every cache agrees
    }

    @Test
    void retiringIsRefusedWhileTheKekStillWrapsDataKeys() throws SQLException {
        activate("c");
        String path = Fixtures.uniquePrefix() + "/retiring";
        Fixtures.write(path, "survives-retirement");
        String c = TestKeks.id("c");
        Specs.as(Fixtures.admin()).post("/secrets/keys/" + c + "/retire").then().spec(Specs.problem(409))
                .body("detail", containsString("active"));
        activate("b");
        Specs.as(Fixtures.admin()).post("/secrets/keys/" + c + "/retire").then().spec(Specs.problem(409))
                .body("detail", containsString("rewrap"));
        Specs.as(Fixtures.admin()).post("/secrets/keys/rewrap").then().statusCode(200).body("remaining", equalTo(0));
        Specs.as(Fixtures.admin()).post("/secrets/keys/" + c + "/retire").then().statusCode(200)
                .body("state", equalTo("retired")).body("dataKeys", equalTo(0));
        assertEquals(0, dataKeysUnder(c));
        // retired for good: it can never wrap anything again
        Specs.as(Fixtures.admin()).post("/secrets/keys/" + c + "/activate").then().spec(Specs.problem(409));
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().statusCode(200).body("value", equalTo("survives-retirement"));
        AuditOutbox.await(AuditOutbox.typeAndDetail("config_change", "action", "kek_retired"));
    }

    @Test
    void activationNeedsAKnownKekConfiguredHere() {
        Specs.as(Fixtures.admin()).post("/secrets/keys/kek-0123456789abcdef/activate").then().spec(Specs.problem(409))
                .body("detail", containsString("not configured"));
        Specs.as(Fixtures.admin()).post("/secrets/keys/not-a-key-id/activate").then().spec(Specs.problem(400))
                .body("field", equalTo("id"));
        Specs.as(Fixtures.admin()).post("/secrets/keys/kek-0123456789abcdef/retire").then().spec(Specs.problem(404));
    }

    @Test
    void listsKeyIdsAndStatesButNeverKeyMaterial() {
        String body = Specs.as(Fixtures.admin()).get("/secrets/keys").then().statusCode(200)
                .body("id", hasItems(TestKeks.id("primary"), TestKeks.id("a"), TestKeks.id("b"), TestKeks.id("c")))
                .body("findAll { it.state == 'active' }.size()", equalTo(1))
                .body("find { it.id == '" + TestKeks.id("primary") + "' }.source", equalTo("primary"))
                .body("find { it.id == '" + TestKeks.id("a") + "' }.source", equalTo("additional"))
                .body("find { it.id == '" + TestKeks.id("a") + "' }.configured", equalTo(true))
                .extract().asString();
        for (String name : TestKeks.NAMES) {
            assertThat(body, not(containsString(TestKeks.key(name))));
            assertThat(body, not(containsString(TestKeks.key(name).substring(0, 16))));
        }
    }

    @Test
    void onlyAdminsManageKeys() {
        String user = Fixtures.user("user", "auditor");
        Specs.as(user).get("/secrets/keys").then().spec(Specs.problem(403));
        Specs.as(user).post("/secrets/keys/rewrap").then().spec(Specs.problem(403));
        Specs.as(user).post("/secrets/keys/" + TestKeks.id("a") + "/activate").then().spec(Specs.problem(403));
        Specs.json().post("/secrets/keys/rewrap").then().spec(Specs.problem(401));
        JsonObject denied = AuditOutbox.await(e -> "authz_failure".equals(e.getString("type"))
                && "/secrets/keys/rewrap".equals(e.getJsonObject("details").getString("path")));
        assertThat(denied.getString("outcome"), equalTo("denied"));
    }
}
