package io.portcullis.secrets.rest;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.portcullis.common.testing.AuditOutbox;
import io.portcullis.common.testing.DbLogins;
import io.portcullis.common.testing.Specs;
import io.portcullis.secrets.Db;
import io.portcullis.secrets.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * PostgreSQL gone from under the service (its database refuses connections and the open ones are
 * killed, as an outage or a failover does): reads and writes are 503 problems with {@code Retry-After}, nothing
 * internal shows, the outage is audited, and the service serves again as soon as the database does.
 */
@QuarkusTest
class DatabaseDownTest {

    static final String ROLE = "portcullis_secrets_app";

    /** As the superuser, from the {@code postgres} database: the service's own may refuse everyone. */
    static void superuser(String statement) throws SQLException {
        try (Connection c = DbLogins.connect(Db.url().replaceFirst("/" + database() + "(\\?|$)", "/postgres$1"), DbLogins.owner());
                Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    static String database() {
        String url = Db.url();
        String rest = url.substring(url.indexOf("//") + 2);
        rest = rest.substring(rest.indexOf('/') + 1);
        int q = rest.indexOf('?');
        return q < 0 ? rest : rest.substring(0, q);
    }

    @Test
    void readsAndWritesAre503WhileTheDatabaseIsDownAndWorkAgainAfter() throws SQLException {
        String path = Fixtures.uniquePrefix() + "/outage";
        Fixtures.write(path, "before-the-outage");
        try {
            superuser("ALTER DATABASE " + database() + " ALLOW_CONNECTIONS false");
            superuser("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database() + "'");
            for (int i = 0; i < 3; i++) { // the killed connections first, then new ones that are refused
                Specs.as(Fixtures.admin()).get("/secrets/v1/" + path).then().spec(Specs.problem(503))
                        .header("Retry-After", "1")
                        .body(not(containsString(ROLE))).body(not(containsString("Exception")))
                        .body(not(containsString("before-the-outage")));
            }
            Specs.as(Fixtures.admin()).body(new JsonObject().put("value", "during").encode()).put("/secrets/v1/" + path)
                    .then().spec(Specs.problem(503));
            AuditOutbox.await(AuditOutbox.typeAndDetail("system_error", "reason", "dependency_unavailable")
                    .and(e -> ("/secrets/v1/" + path).equals(e.getJsonObject("details").getString("path"))));
        } finally {
            superuser("ALTER DATABASE " + database() + " ALLOW_CONNECTIONS true");
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> Specs.as(Fixtures.admin())
                .get("/secrets/v1/" + path).then().statusCode(200).body("value", equalTo("before-the-outage")));
        Specs.as(Fixtures.admin()).delete("/secrets/v1/" + path + "/metadata");
    }
}
