package io.portcullis.secrets.service;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.portcullis.common.audit.AuditLog;
import io.portcullis.secrets.config.SecretsConfig;
import io.portcullis.secrets.domain.Capability;
import io.portcullis.secrets.domain.PolicyRule;
import io.portcullis.secrets.domain.SecretPath;
import io.portcullis.secrets.repository.BootstrapRepository;
import io.portcullis.secrets.repository.DataKeyRepository;
import io.quarkus.runtime.StartupEvent;

/**
 * Start-up, before the first request: reads the KEKs from the configuration (deriving the passphrase
 * one here, once, off any event loop), records their ids, makes the primary KEK active on the very
 * first start, and refuses to start when it would otherwise fail later:
 *
 * <ul>
 * <li>no KEK configured (unless {@code ephemeral-kek}, dev only), a malformed one, or both a key and a
 * passphrase;</li>
 * <li>the active KEK, or any KEK that still wraps a data key, not configured here (a wrong or missing
 * key file shows up now, not as integrity errors later).</li>
 * </ul>
 *
 * Then, when no policy exists at all, it creates the {@code admin} policy: how admins get their rights.
 */
@ApplicationScoped
public class KeyBootstrap {

    private static final Logger LOG = Logger.getLogger(KeyBootstrap.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    public static final String ADMIN_POLICY = "admin";
    public static final String ADMIN_GROUP = "admin";

    private final SecretsConfig config;
    private final KeyRing ring;
    private final BootstrapRepository repository;
    private final DataKeyRepository dataKeys;
    private final PolicyCodec codec;
    private final AuditLog audit;

    public KeyBootstrap(SecretsConfig config, KeyRing ring, BootstrapRepository repository, DataKeyRepository dataKeys,
            PolicyCodec codec, AuditLog audit) {
        this.config = config;
        this.ring = ring;
        this.repository = repository;
        this.dataKeys = dataKeys;
        this.codec = codec;
        this.audit = audit;
    }

    void onStart(@Observes StartupEvent event) {
        List<KeyRing.Kek> keys = load();
        ring.install(keys);
        List<String> ids = keys.stream().map(KeyRing.Kek::id).toList();
        repository.register(ids).await().atMost(WAIT);
        String active = activeKek(keys.get(0));
        checkDataKeys(ids);
        LOG.infof("key-encryption keys held: %s; active: %s", ids, active);
        if (config.bootstrapAdminPolicy()) {
            bootstrapAdminPolicy();
        }
    }

    /** The configured KEKs, primary first. */
    List<KeyRing.Kek> load() {
        List<KeyRing.Kek> keys = new ArrayList<>();
        if (config.kekPassphrase().isPresent()) {
            if (config.kek().isPresent()) {
                throw new IllegalStateException("both portcullis.secrets.kek and portcullis.secrets.kek-passphrase are set; "
                        + "set only one of them");
            }
            keys.add(passphraseKek(config.kekPassphrase().get()));
        }
        keys.addAll(KeyRing.fromConfig(config));
        if (config.kek().isEmpty() && config.kekPassphrase().isEmpty()) {
            if (!config.ephemeralKek()) {
                throw new IllegalStateException("portcullis.secrets.kek is not set (PORTCULLIS_SECRETS_KEK_FILE: a file, "
                        + "mode 0600, holding 32 random bytes in base64): the secrets-service refuses to start without a "
                        + "key-encryption key");
            }
            LOG.warn("no key-encryption key configured: using a throwaway one (portcullis.secrets.ephemeral-kek, dev only); "
                    + "what is written now is unreadable after a restart");
            keys.add(0, KeyRing.ephemeral(new SecureRandom()));
        }
        return keys;
    }

    private KeyRing.Kek passphraseKek(String passphrase) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        BootstrapRepository.Kdf kdf = repository.kdf(new BootstrapRepository.Kdf("PBKDF2-HMAC-SHA256",
                config.kekPassphraseIterations(), salt)).await().atMost(WAIT);
        if (!"PBKDF2-HMAC-SHA256".equals(kdf.algorithm())) {
            throw new IllegalStateException("the stored KDF " + kdf.algorithm() + " is not supported");
        }
        if (kdf.iterations() != config.kekPassphraseIterations()) {
            LOG.warnf("portcullis.secrets.kek-passphrase-iterations is %d but the database was set up with %d; using %d",
                    config.kekPassphraseIterations(), kdf.iterations(), kdf.iterations());
        }
        long started = System.nanoTime();
        KeyRing.Kek k = KeyRing.fromPassphrase(passphrase, kdf.salt(), kdf.iterations());
        LOG.infof("derived the KEK from the passphrase (PBKDF2-HMAC-SHA256, %d iterations, %d ms)", kdf.iterations(),
                (System.nanoTime() - started) / 1_000_000);
        return k;
    }

    /** The active KEK's id; on the first start, the primary becomes active. */
    private String activeKek(KeyRing.Kek primary) {
        Optional<String> active = repository.activeKek().await().atMost(WAIT);
        if (active.isEmpty()) {
            Optional<String> state = repository.state(primary.id()).await().atMost(WAIT);
            if (state.isPresent() && "retired".equals(state.get())) {
                throw new IllegalStateException("the primary key-encryption key " + primary.id()
                        + " is retired and no key is active; configure a new portcullis.secrets.kek");
            }
            if (repository.activateIfNone(primary.id()).await().atMost(WAIT)) {
                audit.record(AuditLog.event("config_change", "success").actor("svc:secrets-service")
                        .detail("action", "kek_activated").detail("keyId", primary.id()).detail("reason", "first start"));
            }
            active = repository.activeKek().await().atMost(WAIT);
        }
        String id = active.orElseThrow(() -> new IllegalStateException("no key-encryption key could be made active"));
        if (ring.find(id).isEmpty()) {
            if (config.ephemeralKek() && primaryIsEphemeral()) {
                LOG.warnf("dev mode: the active KEK %s is not held; activating the throwaway key instead", id);
                repository.forceActive(ring.primaryId()).await().atMost(WAIT);
                return ring.primaryId();
            }
            throw new IllegalStateException("the active key-encryption key " + id + " is not configured on this instance; "
                    + "add it to portcullis.secrets.kek or portcullis.secrets.additional-keks");
        }
        return id;
    }

    private boolean primaryIsEphemeral() {
        return ring.find(ring.primaryId()).map(k -> k.source() == KeyRing.Source.EPHEMERAL).orElse(false);
    }

    /** Every KEK that wraps a data key must be held here, or those secrets are unreadable. */
    private void checkDataKeys(List<String> held) {
        List<String> missing = new ArrayList<>(dataKeys.kekIdsInUse().await().atMost(WAIT));
        missing.removeAll(held);
        if (missing.isEmpty()) {
            return;
        }
        if (config.ephemeralKek()) {
            LOG.warnf("dev mode: data keys under %s cannot be unwrapped by this instance", missing);
            return;
        }
        throw new IllegalStateException("data keys are wrapped under key-encryption key(s) " + missing
                + " that are not configured on this instance; add them to portcullis.secrets.additional-keks");
    }

    private void bootstrapAdminPolicy() {
        String rules = codec.encode(List.of(new PolicyRule(SecretPath.EVERYTHING, java.util.EnumSet.allOf(Capability.class))));
        boolean created = repository.createFirstPolicy(ADMIN_POLICY, new String[] { ADMIN_GROUP }, rules)
                .await().atMost(WAIT);
        if (created) {
            LOG.info("no policy existed: created the policy 'admin' (group admin: every capability on every path)");
            audit.record(AuditLog.event("config_change", "success").actor("svc:secrets-service")
                    .detail("action", "policy_created").detail("policy", ADMIN_POLICY).detail("groups", ADMIN_GROUP)
                    .detail("reason", "bootstrap"));
        }
    }
}
