package io.portcullis.audit.service;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Tells at start whether the database login the service works as could rewrite the log: a superuser,
 * or a login that owns the tables or may become their owner, can {@code RESET ROLE}, disable the
 * triggers and change stored events, so the append-only role holds only against the service's SQL, not
 * against whoever holds the login. It is a warning and the gauge
 * {@code portcullis_audit_login_can_rewrite} (1), not a refusal to start: a deployment with one login
 * keeps working, and sees that it should give Flyway a login of its own (README, "Two logins").
 */
@ApplicationScoped
public class LoginCheck {

    private static final Logger LOG = Logger.getLogger(LoginCheck.class);

    /** Whether the session's login (not the role it works as) is a superuser or may act as the owner of the events table. */
    static final String QUERY = "SELECT r.rolsuper OR pg_has_role(session_user, c.relowner, 'MEMBER'), session_user "
            + "FROM pg_class c JOIN pg_roles r ON r.rolname = session_user WHERE c.oid = 'audit_event'::regclass";

    private final Pool pool;
    /** 1 when the login could rewrite the log, 0 when it cannot, -1 until known. */
    private final AtomicInteger canRewrite = new AtomicInteger(-1);

    public LoginCheck(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        Gauge.builder("portcullis.audit.login.can.rewrite", canRewrite, AtomicInteger::get)
                .description("1 when the service's database login could undo the append-only role (owner or superuser), 0 when it cannot")
                .register(registry);
    }

    void onStart(@Observes StartupEvent ignored) {
        check().subscribe().with(can -> { }, e -> LOG.warnf("could not tell whether the database login can rewrite the log: %s",
                e.getMessage()));
    }

    /** Asks the database, as the service's own login, and records the answer. */
    public Uni<Boolean> check() {
        return pool.query(QUERY).execute().map(rows -> {
            var row = rows.iterator().next();
            boolean can = row.getBoolean(0);
            canRewrite.set(can ? 1 : 0);
            if (can) {
                LOG.warnf("the database login %s owns the audit tables or is a superuser: whoever holds it can RESET ROLE, "
                        + "disable the triggers and rewrite the log; give Flyway a login of its own (quarkus.flyway.username) "
                        + "and the service one that owns nothing", row.getString(1));
            }
            return can;
        });
    }
}
