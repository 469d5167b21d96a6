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

    /** The owner of {@code table}. */
    public static String ownerOf(String table) throws SQLException {
        try (Connection c = connect(owner());
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT tableowner FROM pg_tables WHERE tablename = ?")) {
            ps.setString(1, table);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("no table " + table);
                }
                return rs.getString(1);
            }
        }
    }

    /**
     * Runs each statement as the service's login once it has stepped out of {@code role} ({@code SET ROLE},
     * then {@code RESET ROLE}): what SQL injected into the service, or anyone holding its login, could
     * do. Gives, for each statement in order, {@code "<SQLSTATE> <message>"} when it failed, else
     * {@code "succeeded"}.
     */
    public static java.util.Map<String, String> outsideRole(String role, java.util.List<String> statements) throws SQLException {
        java.util.Map<String, String> outcomes = new java.util.LinkedHashMap<>();
        try (Connection c = connect(service()); java.sql.Statement st = c.createStatement()) {
            st.execute("SET ROLE " + role);
            st.execute("RESET ROLE");
            for (String statement : statements) {
                try {
                    st.execute(statement);
                    outcomes.put(statement, "succeeded");
                } catch (SQLException e) {
                    outcomes.put(statement, e.getSQLState() + " " + e.getMessage());
                }
            }
        }
        return outcomes;
    }

    private static Properties login(String userKey, String passwordKey) {
        var config = ConfigProvider.getConfig();
        Properties p = new Properties();
        p.setProperty("user", config.getValue(userKey, String.class));
        config.getOptionalValue(passwordKey, String.class).ifPresent(pw -> p.setProperty("password", pw));
        return p;
    }
}
