package io.portcullis.audit;

import java.sql.Connection;
import java.sql.SQLException;

import io.portcullis.common.testing.DbLogins;

/** Direct JDBC connections to the service's test database, for tampering tests. */
public final class Db {

    private Db() {
    }

    /** As the server's user, which ran the migrations and owns the tables (Flyway's login in these tests). */
    public static Connection superuser() throws SQLException {
        return DbLogins.connect(DbLogins.owner());
    }
}
