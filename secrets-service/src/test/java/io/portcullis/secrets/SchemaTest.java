package io.portcullis.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The schema Flyway leaves behind. Every foreign key has an index that starts with its columns: a
 * cascade from a removed row (every write removes the version it pushes out of max_versions) must never
 * read a whole table. Without one on the shares, 10,000 outstanding shares cut writes to a third.
 */
@QuarkusTest
class SchemaTest {

    @Test
    void everyForeignKeyHasAnIndexOnItsColumns() throws SQLException {
        List<String> unindexed = new ArrayList<>();
        try (Connection c = Db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT c.conrelid::regclass || ' ' || pg_get_constraintdef(c.oid) "
                        + "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                        + "WHERE c.contype = 'f' AND n.nspname = current_schema() AND NOT EXISTS ("
                        + "SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid "
                        + "AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey "
                        + "AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)")) {
            while (rs.next()) {
                unindexed.add(rs.getString(1));
            }
        }
        assertEquals(List.of(), unindexed, "foreign keys without an index on their columns");
    }
}
