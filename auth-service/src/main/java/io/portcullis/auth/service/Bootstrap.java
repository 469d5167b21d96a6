package io.portcullis.auth.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.portcullis.auth.config.BootstrapConfig;
import io.portcullis.common.audit.AuditLog;
import io.portcullis.common.config.SecretFiles;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/**
 * First start (DESIGN.md, Bootstrap): the first admin from {@code PORTCULLIS_BOOTSTRAP_ADMIN_USER}
 * and {@code PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD_FILE}, only while no user exists (a weak password
 * stops the start, naming the setting); and each service client of
 * {@code PORTCULLIS_BOOTSTRAP_CLIENTS_DIR} that does not exist yet. Later starts leave existing
 * users and clients alone. No default credential exists anywhere.
 */
@ApplicationScoped
public class Bootstrap {

    private static final Logger LOG = Logger.getLogger(Bootstrap.class);

    private final BootstrapConfig config;
    private final UserService users;
    private final ClientService clients;
    private final AuditLog audit;

    public Bootstrap(BootstrapConfig config, UserService users, ClientService clients, AuditLog audit) {
        this.config = config;
        this.users = users;
        this.clients = clients;
        this.audit = audit;
    }

    void onStart(@Observes StartupEvent ignored) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> admin().chain(this::serviceClients));
    }

    Uni<Void> admin() {
        if (config.admin().user().isEmpty() || config.admin().password().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String name = config.admin().user().get();
        return users.count().chain(count -> {
            if (count > 0) {
                LOG.info("users exist: the bootstrap admin settings are ignored");
                return Uni.createFrom().voidItem();
            }
            return users.create(name, config.admin().password().get(), List.of("admin", "user"))
                    .onFailure(io.portcullis.common.validation.ValidationException.class)
                    .transform(e -> new IllegalStateException("portcullis.bootstrap.admin: " + e.getMessage()
                            + " (PORTCULLIS_BOOTSTRAP_ADMIN_USER / PORTCULLIS_BOOTSTRAP_ADMIN_PASSWORD_FILE)"))
                    .invoke(u -> {
                        LOG.infof("created the first admin '%s' from the bootstrap settings", u.username());
                        audit.record(AuditLog.event("config_change", "success").actor("svc:auth-service")
                                .detail("action", "bootstrap_admin").detail("username", u.username()));
                    })
                    .replaceWithVoid();
        });
    }

    Uni<Void> serviceClients() {
        if (config.clientsDir().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Path dir = Path.of(config.clientsDir().get());
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("portcullis.bootstrap.clients-dir (PORTCULLIS_BOOTSTRAP_CLIENTS_DIR) cannot be read");
        }
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Path file : files) {
            String clientId = file.getFileName().toString();
            if (!ClientService.CLIENT_ID.matcher(clientId).matches()) {
                LOG.warnf("ignoring %s in the clients folder: not a client id", clientId);
                continue;
            }
            String secret = SecretFiles.read("PORTCULLIS_BOOTSTRAP_CLIENTS_DIR/" + clientId, file);
            if (secret.length() < ClientService.MIN_SECRET_LENGTH) {
                // client ids are public and not locked out (that would let anyone stop a service):
                // only a secret nobody can guess stands between a client and its tokens
                throw new IllegalStateException("the secret of service client '" + clientId + "' has fewer than "
                        + ClientService.MIN_SECRET_LENGTH + " characters; generate one (openssl rand -base64 32)");
            }
            chain = chain.chain(() -> clients.bootstrap(clientId, secret).invoke(outcome -> {
                if (outcome == ClientService.Bootstrapped.CREATED) {
                    LOG.infof("registered service client '%s'", clientId);
                    audit.record(AuditLog.event("config_change", "success").actor("svc:auth-service")
                            .detail("action", "bootstrap_client").detail("clientId", clientId));
                } else if (outcome == ClientService.Bootstrapped.ROTATED) {
                    LOG.infof("service client '%s' has a new secret from its file; the old one is refused from now on", clientId);
                    audit.record(AuditLog.event("config_change", "success").actor("svc:auth-service")
                            .detail("action", "client_secret_rotated").detail("clientId", clientId));
                }
            }).replaceWithVoid());
        }
        return chain;
    }

}
