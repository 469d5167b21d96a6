package io.portcullis.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.eclipse.microprofile.config.ConfigProvider;

/** Direct JDBC connections to the service's test database, for tampering tests. */
public final class Db {

    private Db() {
    }

    /** As the server's user, which ran the migrations and owns the tables (Flyway's login in these tests). */
    public static Connection superuser() throws SQLException {
        return connect("quarkus.flyway.username", "quarkus.flyway.password");
    }

    /** As the login the service itself works as ({@code quarkus.datasource.username}). */
    public static Connection runtimeLogin() throws SQLException {
        return connect("quarkus.datasource.username", "quarkus.datasource.password");
    }

    private static Connection connect(String userKey, String passwordKey) throws SQLException {
        var config = ConfigProvider.getConfig();
        Properties p = new Properties();
        p.setProperty("user", config.getValue(userKey, String.class));
        config.getOptionalValue(passwordKey, String.class).ifPresent(pw -> p.setProperty("password", pw));
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class), p);
    }
}
