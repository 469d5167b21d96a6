package io.portcullis.gateway.service;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.portcullis.common.audit.AuditLog;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/**
 * The first admin API key (DESIGN.md, Bootstrap): from {@code PORTCULLIS_BOOTSTRAP_API_KEY_FILE},
 * with every scope, only while no key exists; later starts ignore it. There is no default key.
 */
@ApplicationScoped
public class Bootstrap {

    private static final Logger LOG = Logger.getLogger(Bootstrap.class);

    private final ApiKeys keys;
    private final AuditLog audit;
    private final Optional<String> apiKey;

    public Bootstrap(ApiKeys keys, AuditLog audit, @ConfigProperty(name = "portcullis.bootstrap.api-key") Optional<String> apiKey) {
        this.keys = keys;
        this.audit = audit;
        this.apiKey = apiKey;
    }

    void onStart(@Observes StartupEvent ignored) throws Throwable {
        if (apiKey.isEmpty()) {
            return;
        }
        VertxContextSupport.subscribeAndAwait(() -> keys.count().chain(count -> {
            if (count > 0) {
                LOG.info("API keys exist: the bootstrap key setting is ignored");
                return Uni.createFrom().voidItem();
            }
            return keys.importKey(apiKey.get(), "bootstrap-admin", List.of("/"), "bootstrap").invoke(k -> {
                LOG.infof("stored the bootstrap admin API key %s", k.keyId());
                audit.record(AuditLog.event("api_key", "success").actor("svc:gateway").detail("action", "bootstrap")
                        .detail("keyId", k.keyId()));
            }).replaceWithVoid();
        }));
    }
}
