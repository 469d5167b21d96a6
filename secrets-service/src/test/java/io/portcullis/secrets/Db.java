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

    /** As the login the service itself works as. */
    public static Connection runtimeLogin() throws SQLException {
        return DbLogins.connect(DbLogins.service());
    }

    public static String url() {
        return DbLogins.url();
    }
}
