package io.portcullis.secrets.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.portcullis.common.problem.ProblemException;
import io.portcullis.common.validation.ValidationException;
import io.portcullis.secrets.config.SecretsConfig;
import io.portcullis.secrets.domain.IntegrityException;
import io.portcullis.secrets.domain.Kek;
import io.portcullis.secrets.repository.DataKeyRepository;
import io.portcullis.secrets.repository.KekRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * Key-encryption key rotation, as an admin drives it: add the new KEK to every instance's
 * configuration, {@link #activate} it (new data keys are wrapped under it from then on, on every
 * instance: the database refuses anything else), {@link #rewrap} every data key under it (only the
 * 32-byte data keys are opened and resealed; no value is decrypted), then {@link #retire} the old one
 * (refused while it still wraps a data key) and drop it from the configuration.
 */
@ApplicationScoped
public class KeyService {

    private static final Logger LOG = Logger.getLogger(KeyService.class);
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("^kek-[0-9a-f]{16}$");

    /** A KEK as shown: never the key, only what is known about it. */
    @RegisterForReflection
    public record View(String id, String state, boolean configured, String source, long dataKeys, Instant createdAt,
            Instant activatedAt, Instant retiredAt) {
    }

    @RegisterForReflection
    public record RewrapResult(String activeKeyId, long rewrapped, long failed, long remaining) {
    }

    private final KekRepository keks;
    private final DataKeyRepository dataKeys;
    private final KeyRing ring;
    private final EnvelopeCipher cipher;
    private final Snapshots snapshots;
    private final SecretAudit audit;
    private final SecretsMetrics metrics;
    private final int batchSize;

    public KeyService(KekRepository keks, DataKeyRepository dataKeys, KeyRing ring, EnvelopeCipher cipher,
            Snapshots snapshots, SecretAudit audit, SecretsMetrics metrics, SecretsConfig config) {
        this.keks = keks;
        this.dataKeys = dataKeys;
        this.ring = ring;
        this.cipher = cipher;
        this.snapshots = snapshots;
        this.audit = audit;
        this.metrics = metrics;
        this.batchSize = config.rewrapBatchSize();
    }

    @WithTransaction
    public Uni<List<View>> list() {
        return keks.all().chain(all -> keks.dataKeysByKek().map(counts -> {
            List<View> out = new ArrayList<>();
            for (Kek k : all) {
                out.add(view(k, counts));
            }
            return out;
        }));
    }

    /** Makes {@code id} the active KEK. It must be configured on this instance, and not retired. */
    public Uni<View> activate(String id) {
        requireId(id);
        if (ring.find(id).isEmpty()) {
            throw ProblemException.conflict("This key-encryption key is not configured on this instance; "
                    + "add it to portcullis.secrets.additional-keks on every instance first.");
        }
        return switchActive(id).invoke(v -> audit.configChange("kek_activated", "keyId", id, "previous", v.previous()))
                .map(Activated::view);
    }

    record Activated(View view, String previous) {
    }

    @WithTransaction
    Uni<Activated> switchActive(String id) {
        Instant now = Times.now();
        return keks.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).chain(target -> {
            if (target == null) {
                throw ProblemException.notFound("No such key-encryption key.");
            }
            if (Kek.RETIRED.equals(target.getState())) {
                throw ProblemException.conflict("This key-encryption key is retired and cannot be used again.");
            }
            if (Kek.ACTIVE.equals(target.getState())) {
                return Uni.createFrom().item(new Activated(view(target, Map.of()), id));
            }
            // the table lock waits for the writes in flight and holds new ones until this commits (see the
            // guard trigger in V1__init.sql); then demote first and flush: one active KEK at a time
            return keks.getSession()
                    .chain(session -> session.createNativeQuery("LOCK TABLE secret_version IN SHARE ROW EXCLUSIVE MODE")
                            .executeUpdate())
                    .chain(locked -> keks.active())
                    .chain(old -> {
                        String previous = old == null ? null : old.getId();
                        if (old != null) {
                            old.demote();
                        }
                        return keks.flush().chain(() -> {
                            target.activate(now);
                            return keks.flush();
                        }).map(x -> new Activated(view(target, Map.of()), previous));
                    });
        });
    }

    /**
     * Rewraps, batch by batch (one transaction each), every data key that is not under the active KEK.
     * A data key that fails authentication is left as it is, counted in {@code failed} and reported as
     * {@code suspicious_activity}.
     */
    public Uni<RewrapResult> rewrap() {
        return snapshots.fresh().chain(s -> {
            String active = s.activeKekId();
            if (active == null) {
                throw ProblemException.unavailable("No key-encryption key is active.");
            }
            if (ring.find(active).isEmpty()) {
                throw ProblemException.unavailable("The active key-encryption key is not configured on this instance.");
            }
            long[] totals = new long[3]; // rewrapped, failed, last id
            return Uni.createFrom().deferred(() -> batch(active, totals))
                    .repeat().until(n -> n == 0)
                    .collect().last()
                    .chain(() -> dataKeys.countNotUnder(active))
                    .map(remaining -> new RewrapResult(active, totals[0], totals[1], remaining));
        }).invoke(r -> {
            metrics.rewrapped(r.rewrapped());
            audit.configChange("kek_rewrap", "keyId", r.activeKeyId(), "rewrapped", r.rewrapped());
        }).onFailure(SecretService::isStaleKek).transform(e -> ProblemException.conflict(
                "The active key-encryption key changed during the rewrap; run it again."));
    }

    /** One batch; emits how many rows it looked at (0: done). */
    private Uni<Integer> batch(String active, long[] totals) {
        return dataKeys.pool().withTransaction(c -> dataKeys.lockBatchNotUnder(c, active, totals[2], batchSize)
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    totals[2] = rows.get(rows.size() - 1).id();
                    // two AES-GCM operations on 32 bytes per row: microseconds, fine on the event loop
                    return dataKeys.update(c, reseal(rows, active, totals))
                            .invoke(n -> totals[0] += n)
                            .map(n -> rows.size());
                }));
    }

    private List<DataKeyRepository.Rewrapped> reseal(List<DataKeyRepository.Wrapped> rows, String active, long[] totals) {
        List<DataKeyRepository.Rewrapped> out = new ArrayList<>(rows.size());
        for (DataKeyRepository.Wrapped w : rows) {
            try {
                out.add(new DataKeyRepository.Rewrapped(w.id(), w.key().kekId(),
                        cipher.rewrap(w.path(), w.version(), w.key(), active)));
            } catch (IntegrityException e) {
                totals[1]++;
                audit.integrity("rewrap", w.path(), w.version(), e);
                LOG.warnf("data key of version %d left as it is: it failed its integrity check", w.version());
            }
        }
        return out;
    }

    /** Retires {@code id}: refused while it is active or still wraps a data key. */
    public Uni<View> retire(String id) {
        requireId(id);
        return markRetired(id).invoke(v -> audit.configChange("kek_retired", "keyId", id, "state", v.state()));
    }

    @WithTransaction
    Uni<View> markRetired(String id) {
        return keks.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).chain(k -> {
            if (k == null) {
                throw ProblemException.notFound("No such key-encryption key.");
            }
            if (Kek.ACTIVE.equals(k.getState())) {
                throw ProblemException.conflict("The active key-encryption key cannot be retired; activate another first.");
            }
            return keks.dataKeysByKek().map(counts -> {
                long n = counts.getOrDefault(id, 0L);
                if (n > 0) {
                    throw ProblemException.conflict("This key-encryption key still wraps " + n
                            + " data key(s); run POST /secrets/keys/rewrap first.");
                }
                if (!Kek.RETIRED.equals(k.getState())) {
                    k.retire(Times.now());
                }
                return view(k, counts);
            });
        });
    }

    private View view(Kek k, Map<String, Long> counts) {
        var held = ring.find(k.getId());
        return new View(k.getId(), k.getState(), held.isPresent(),
                held.map(h -> h.source().name().toLowerCase(java.util.Locale.ROOT)).orElse(null),
                counts.getOrDefault(k.getId(), 0L), k.getCreatedAt(), k.getActivatedAt(), k.getRetiredAt());
    }

    private static void requireId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new ValidationException("id", "id must look like kek- followed by 16 hex digits");
        }
    }
}
