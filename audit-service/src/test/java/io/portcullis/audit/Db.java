package io.portcullis.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.eclipse.microprofile.config.ConfigProvider;

/** A direct JDBC connection to the service's test database as the superuser, for tampering tests. */
public final class Db {

    private Db() {
    }

    public static Connection superuser() throws SQLException {
        var config = ConfigProvider.getConfig();
        Properties p = new Properties();
        p.setProperty("user", config.getValue("quarkus.datasource.username", String.class));
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(pw -> p.setProperty("password", pw));
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class), p);
    }
}
