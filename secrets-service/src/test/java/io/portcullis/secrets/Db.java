package io.portcullis.secrets;

import java.sql.Connection;
import java.sql.SQLException;

import io.portcullis.common.testing.DbLogins;

/** Direct JDBC connections to the service's test database, for tampering and inspection. */
public final class Db {

    private Db() {
    }

    /** As the login that ran the migrations and owns the tables. */
    public static Connection connect() throws SQLException {
        return DbLogins.connect(DbLogins.owner());
    }

    public static String url() {
        return DbLogins.url();
    }
}
