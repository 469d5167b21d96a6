package io.portcullis.secrets.bench;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;

/** The scratch table of the bare-commit baseline, in the benchmark's throwaway database only. */
@ApplicationScoped
public class BenchTable {

    void create(@Observes StartupEvent e, Pool pool) {
        pool.query("CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, path text NOT NULL, payload bytea NOT NULL)")
                .execute().await().indefinitely();
    }
}
