package io.portcullis.secrets.repository;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.portcullis.secrets.domain.Kek;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class KekRepository implements PanacheRepositoryBase<Kek, String> {

    public Uni<Kek> active() {
        return find("state", Kek.ACTIVE).firstResult();
    }

    /** How many data keys each KEK wraps (KEKs that wrap none are absent). */
    public Uni<Map<String, Long>> dataKeysByKek() {
        return getSession().chain(s -> s.createSelectionQuery(
                "select v.kekId, count(v) from SecretVersion v where v.kekId is not null group by v.kekId", Object[].class)
                .getResultList())
                .map(rows -> {
                    Map<String, Long> out = new HashMap<>();
                    for (Object[] r : rows) {
                        out.put((String) r[0], (Long) r[1]);
                    }
                    return out;
                });
    }

    public Uni<List<Kek>> all() {
        return listAll(io.quarkus.panache.common.Sort.by("createdAt").and("id"));
    }
}
