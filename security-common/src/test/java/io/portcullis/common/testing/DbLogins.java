package io.portcullis.common.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The database logins of a service under test, for tests that inspect or tamper with its tables
 * directly: the owner of the tables (Flyway's own login where the service has one, see
 * {@link LocalInfraTestResource}'s {@code runtime-login}; else the service's), and the login the service
 * itself works as.
 */
public final class DbLogins {

    private DbLogins() {
    }

    /** The login that ran the migrations and owns the tables. */
    public static Properties owner() {
        var config = ConfigProvider.getConfig();
        return config.getOptionalValue("quarkus.flyway.username", String.class).isPresent()
                ? login("quarkus.flyway.username", "quarkus.flyway.password")
                : service();
    }

    /** The login the service works as ({@code quarkus.datasource.username}). */
    public static Properties service() {
        return login("quarkus.datasource.username", "quarkus.datasource.password");
    }

    /** The service's JDBC URL. */
    public static String url() {
        return ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
    }

    public static Connection connect(Properties login) throws SQLException {
        return connect(url(), login);
    }

    public static Connection connect(String url, Properties login) throws SQLException {
        return DriverManager.getConnection(url, login);
    }

    private static Properties login(String userKey, String passwordKey) {
        var config = ConfigProvider.getConfig();
        Properties p = new Properties();
        p.setProperty("user", config.getValue(userKey, String.class));
        config.getOptionalValue(passwordKey, String.class).ifPresent(pw -> p.setProperty("password", pw));
        return p;
    }
}
