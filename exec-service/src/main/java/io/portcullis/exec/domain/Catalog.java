package io.portcullis.exec.domain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The allow-list: every action a job may run, by name. Loaded once at start from the catalog file.
 *
 * @param defaults the limits every action starts from (and the sandbox self-test runs with)
 */
public record Catalog(Map<String, Action> actions, Limits defaults) {

    public Catalog {
        actions = Collections.unmodifiableMap(new LinkedHashMap<>(actions));
    }

    public Optional<Action> find(String name) {
        return Optional.ofNullable(name == null ? null : actions.get(name));
    }
}
