package io.portcullis.secrets;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.eclipse.microprofile.config.ConfigProvider;

/** A direct JDBC connection to the service's test database, for tampering and inspection. */
public final class Db {

    private Db() {
    }

    public static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        Properties p = new Properties();
        p.setProperty("user", config.getValue("quarkus.datasource.username", String.class));
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(pw -> p.setProperty("password", pw));
        return DriverManager.getConnection(url(), p);
    }

    public static String url() {
        return ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
    }
}
