package io.portcullis.secrets.service;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.LocalInfraTestResource;
import io.portcullis.common.testing.Specs;
import io.portcullis.secrets.Db;
import io.portcullis.secrets.Fixtures;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A small setup with a passphrase instead of a key file: the KEK is derived with PBKDF2-HMAC-SHA256
 * once at start from the passphrase and a random salt kept in the database, and works like any
 * other KEK. Its own profile (a restart with a fresh database and no key file).
 */
@QuarkusTest
@TestProfile(PassphraseKekTest.Passphrase.class)
class PassphraseKekTest {

    static final String PASSPHRASE = "correct horse battery staple (test only)";
    static final int ITERATIONS = 100_000;

    public static class Passphrase implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalInfraTestResource.class, Map.of("database", "portcullis_secrets_test")),
                    new TestResourceEntry(PassphraseOnly.class));
        }
    }

    public static class PassphraseOnly implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("portcullis.secrets.kek-passphrase", PASSPHRASE,
                    "portcullis.secrets.kek-passphrase-iterations", Integer.toString(ITERATIONS));
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void derivesTheActiveKekFromThePassphraseAndTheStoredSalt() throws Exception {
        byte[] salt;
        try (Connection c = Db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT algorithm, iterations, salt FROM secret_kdf WHERE id = 1")) {
            assertTrue(rs.next(), "the salt is stored on first start");
            assertEquals("PBKDF2-HMAC-SHA256", rs.getString(1));
            assertEquals(ITERATIONS, rs.getInt(2));
            salt = rs.getBytes(3);
            assertEquals(16, salt.length);
        }
        String expected = KeyRing.fromPassphrase(PASSPHRASE, salt, ITERATIONS).id();
        Specs.as(Fixtures.admin()).get("/secrets/keys").then().statusCode(200)
                .body("$", hasSize(1))
                .body("[0].id", equalTo(expected))
                .body("[0].source", equalTo("passphrase"))
                .body("[0].state", equalTo("active"));
    }

    @Test
    void storesAndReadsSecretsUnderThePassphraseKek() throws Exception {
        String path = Fixtures.uniquePrefix() + "/small-setup";
        Fixtures.write(path, "derived-kek-works");
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().statusCode(200).body("value", equalTo("derived-kek-works"));
        try (Connection c = Db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT v.kek_id, k.state FROM secret_version v JOIN secret_kek k ON k.id = v.kek_id WHERE v.path = '" + path + "'")) {
            assertTrue(rs.next());
            assertEquals("active", rs.getString(2));
        }
    }
}
