package io.portcullis.secrets.service;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.Specs;
import io.portcullis.secrets.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * The write path's shortcut (one statement when this instance remembers a path's version) never
 * trusts what it remembers: a version written elsewhere, by another instance, is never overwritten,
 * and a {@code cas} is always judged against the database. "Another instance" is played through JDBC.
 */
@QuarkusTest
class WritePathTest {

    static void writtenElsewhere(String path) throws SQLException {
        StoredSecretIntegrityTest.sql("UPDATE secret_metadata SET current_version = current_version + 1 WHERE path = ?", path);
    }

    @Test
    void aVersionWrittenByAnotherInstanceIsNeverOverwritten() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/shared";
        assertEquals(1, Fixtures.write(path, "v1"));
        assertEquals(2, Fixtures.write(path, "v2"));
        writtenElsewhere(path); // version 3 now belongs to someone else
        assertEquals(4, Fixtures.write(path, "v4"));
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().statusCode(200).body("version", equalTo(4))
                .body("value", equalTo("v4"));
        Specs.as(Fixtures.admin()).get("/secrets/v1/" + path + "/metadata").then().body("currentVersion", equalTo(4));
    }

    @Test
    void casIsJudgedAgainstTheDatabaseNotAgainstWhatThisInstanceRemembers() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/cas-elsewhere";
        assertEquals(1, Fixtures.write(path, "v1"));
        writtenElsewhere(path);
        Specs.as(Fixtures.admin()).body(new JsonObject().put("value", "stale").put("cas", 1).encode())
                .put("/secrets/v1/" + path).then().spec(Specs.problem(409)).body("detail", containsString("current version 2"));
        Specs.as(Fixtures.admin()).body(new JsonObject().put("value", "fresh").put("cas", 2).encode())
                .put("/secrets/v1/" + path).then().statusCode(200).body("version", equalTo(3));
    }

    @Test
    void aPathRemovedAndWrittenAgainStartsOverAtVersionOne() {
        String path = Fixtures.uniquePrefix() + "/reborn";
        Fixtures.write(path, "v1");
        Fixtures.write(path, "v2");
        Specs.as(Fixtures.admin()).delete("/secrets/v1/" + path + "/metadata").then().statusCode(204);
        assertEquals(1, Fixtures.write(path, "again"));
    }

    @Test
    void casRequiredSetElsewhereIsHonouredAtOnce() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/cas-required-elsewhere";
        Fixtures.write(path, "v1");
        StoredSecretIntegrityTest.sql("UPDATE secret_metadata SET cas_required = true WHERE path = ?", path);
        Specs.as(Fixtures.admin()).body(new JsonObject().put("value", "blind").encode()).put("/secrets/v1/" + path)
                .then().spec(Specs.problem(400)).body("field", equalTo("cas"));
    }
}
