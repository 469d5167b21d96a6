package io.portcullis.common.db;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * For a service whose tables are guarded by a restricted role and by triggers
 * ({@code portcullis.database.guarded-table} names one of them): tells at start whether the database
 * login the service works as could step around them. A superuser, or a login that owns the table or may
 * become its owner, can {@code RESET ROLE}, disable the triggers and change any row, so the role then
 * holds only against the service's own SQL, not against whoever holds the login. That is a warning and
 * the gauge {@code portcullis_database_login_owns_tables} (1), not a refusal to start: a deployment
 * with one login keeps working, and sees that Flyway should get a login of its own
 * ({@code quarkus.flyway.username}) and the service one that owns nothing.
 */
@ApplicationScoped
public class LoginCheck {

    private static final Logger LOG = Logger.getLogger(LoginCheck.class);

    /** Whether the session's login (not the role it works as) is a superuser or may act as the owner of table $1. */
    public static final String QUERY = "SELECT r.rolsuper OR pg_has_role(session_user, c.relowner, 'MEMBER'), session_user "
            + "FROM pg_class c JOIN pg_roles r ON r.rolname = session_user WHERE c.oid = $1::regclass";

    private final Instance<Pool> pool;
    private final Optional<String> table;
    /** 1 when the login could step around the guards, 0 when it cannot, -1 until known. */
    private final AtomicInteger ownsTables = new AtomicInteger(-1);

    public LoginCheck(Instance<Pool> pool, @ConfigProperty(name = "portcullis.database.guarded-table") Optional<String> table,
            MeterRegistry registry) {
        this.pool = pool;
        this.table = table;
        if (table.isPresent()) {
            Gauge.builder("portcullis.database.login.owns.tables", ownsTables, AtomicInteger::get)
                    .description("1 when the service's database login could step around its restricted role (it owns the "
                            + "tables or is a superuser), 0 when it cannot")
                    .register(registry);
        }
    }

    void onStart(@Observes StartupEvent ignored) {
        if (table.isPresent()) {
            check().onFailure(e -> LOG.warnf("could not tell whether the database login owns the tables: %s", e.getMessage()));
        }
    }

    /** Asks the database, as the service's own login, and records the answer. */
    public Future<Boolean> check() {
        return pool.get().preparedQuery(QUERY).execute(Tuple.of(table.orElseThrow())).map(rows -> {
            Row row = rows.iterator().next();
            boolean owns = row.getBoolean(0);
            ownsTables.set(owns ? 1 : 0);
            if (owns) {
                LOG.warnf("the database login %s owns the tables or is a superuser: whoever holds it can RESET ROLE, disable "
                        + "the triggers and change any row; give Flyway a login of its own (quarkus.flyway.username) and "
                        + "the service one that owns nothing", row.getString(1));
            }
            return owns;
        });
    }
}
