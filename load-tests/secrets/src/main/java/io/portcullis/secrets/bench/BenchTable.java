package io.portcullis.secrets.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * The scratch table of the bare-commit baseline, in the benchmark's throwaway database only. It is
 * created over JDBC as the login user, like the schema (the service's own role may not create
 * tables), and the service's role may insert into it, as it may into its own tables.
 */
@ApplicationScoped
public class BenchTable {

    void create(@Observes StartupEvent e, AgroalDataSource jdbc) throws SQLException {
        try (Connection c = jdbc.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, path text NOT NULL, payload bytea NOT NULL)");
            st.execute("GRANT SELECT, INSERT ON bench_commit TO portcullis_secrets_app");
            st.execute("GRANT USAGE ON SEQUENCE bench_commit_id_seq TO portcullis_secrets_app");
        }
    }
}
